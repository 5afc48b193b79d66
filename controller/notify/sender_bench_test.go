package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSenderDrain measures how fast the senders empty an outbox of
// b.N due messages (one per customer) into the real SMTP server: two
// senders on one database as two controllers are (one on SQLite), each
// through Run's loop with the cluster test's 500-ms poll. It reports
// messages per second per sender and the test process's CPU per message
// (the senders and the SMTP server; the database server's is not in it).
// go test -run '^$' -bench SenderDrain -benchtime 3000x ./controller/notify/
// (VANTAGE_TEST_DB=postgres for two senders).
func BenchmarkSenderDrain(b *testing.B) {
	for _, poll := range []time.Duration{500 * time.Millisecond, 250 * time.Millisecond} {
		b.Run("poll="+poll.String(), func(b *testing.B) {
			r := newRig(b, emailOnly(), func(o *Options) {
				o.Sender.Poll = poll
				o.Sender.PerRecipient = Rate{Count: 1000, Per: time.Minute}
				o.Sender.PerChannel = map[string]Rate{Email: {Count: 100000, Per: time.Minute}}
			})
			senders := []*Notifier{r.n}
			if r.n.pg {
				senders = append(senders, r.second())
			}
			seedOutbox(b, r, b.N)
			r.at(t0.Add(time.Hour))
			var before syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			start := time.Now()
			b.ResetTimer()
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for _, n := range senders {
				wg.Add(1)
				go func() { defer wg.Done(); _ = n.Run(ctx) }()
			}
			deadline := time.Now().Add(10 * time.Minute)
			for len(r.sink.Messages()) < b.N && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond) // a benchmark's measurement, not a test's wait
			}
			took := time.Since(start)
			b.StopTimer()
			cancel()
			wg.Wait()
			var after syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			got := len(r.sink.Messages())
			if got != b.N || len(r.sink.Count()) != b.N {
				b.Fatalf("%d messages delivered (%d Message-IDs), want %d once each", got, len(r.sink.Count()), b.N)
			}
			cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
			b.ReportMetric(float64(b.N)/took.Seconds()/float64(len(senders)), "msgs/s/sender")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
			b.ReportMetric(float64(len(senders)), "senders")
		})
	}
}

// seedOutbox writes k customers, each with an open outage incident (its
// facts) and its start message due at t0, in one transaction.
func seedOutbox(b testing.TB, r *rig, k int) {
	b.Helper()
	tx, err := r.db.BeginTx(r.ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	for i := range k {
		c, id := fmt.Sprintf("B%06d", i), int64(i+1)
		f := Facts{Incident: id, Kind: "outage", Start: t0, Lines: []FactLine{{Line: "L-" + c, Customer: c, Down: t0}}}
		raw, _ := json.Marshal(f)
		key := fmt.Sprintf("incident/%d/%s/email:noc@%s.example/outage_start", id, c, c)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO customers (id, name, tier) VALUES (?, ?, 'diamond')`, []any{c, "Customer " + c}},
			{`INSERT INTO notify_incidents (incident_id, facts, updated_at) VALUES (?, ?, ?)`, []any{id, string(raw), t0.UnixMilli()}},
			{`INSERT INTO notify_outbox (key, incident_id, customer_id, tier, kind, urgent, channel, recipient, recipient_name, role,
				language, status, due_at, next_attempt_at, incident_start, created_at, message_id)
				VALUES (?, ?, ?, 'diamond', 'outage_start', 1, 'email', ?, ?, 'primary', 'en', 'pending', ?, ?, ?, ?, ?)`,
				[]any{key, id, c, "noc@" + c + ".example", "Contact " + c, t0.UnixMilli(), t0.UnixMilli(), t0.UnixMilli(), t0.UnixMilli(), r.n.messageID(key)}},
		} {
			if _, err := tx.ExecContext(r.ctx, q.sql, q.args...); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
