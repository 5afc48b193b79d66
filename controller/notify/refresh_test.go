package notify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/internal/lab"
)

// The sender keeps delivering while the gauges' refresh is held up. The
// proactive ratio reads every incident of 30 days; on the cluster's long
// form (issue 16) it took minutes, and it ran in the sender's loop, so
// nothing was sent meanwhile: 2,299 messages were unsent at the deadline.
// Here a lock on complaints holds the ratio's first complaints query for
// as long as the test likes (PostgreSQL: SQLite readers never wait).
func TestSenderNotHeldUpByGaugeRefresh(t *testing.T) {
	storetest.PostgresOnly(t)
	r := newRig(t, emailOnly(), func(o *Options) { o.Sender.Poll = 50 * time.Millisecond })
	line := func(c string) incident.Line { return incident.Line{ID: "L-" + c, Customer: c, Tier: "diamond"} }
	r.customer("D1", "diamond", "noc@d1.example", "en")
	r.customer("D2", "diamond", "noc@d2.example", "en")
	r.line(line("D1"), linestate.Down, t0)
	r.at(t0.Add(time.Minute))

	lock, err := r.db.BeginTx(r.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.ExecContext(r.ctx, `LOCK TABLE complaints IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- r.n.Run(ctx) }()
	defer func() {
		cancel()
		_ = lock.Rollback()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	wait, waitCancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer waitCancel()
	messages := func(want int) func() error {
		return func() error {
			if k := len(r.sink.Messages()); k < want {
				return fmt.Errorf("%d messages delivered, want %d", k, want)
			}
			return nil
		}
	}
	lab.WaitFor(t, wait, 20*time.Millisecond, messages(1))
	// The ratio's refresh is now waiting for the lock.
	lab.WaitFor(t, wait, 20*time.Millisecond, func() error {
		var waiting int
		if err := r.db.QueryRowContext(wait, `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			WHERE c.relname = 'complaints' AND NOT l.granted`).Scan(&waiting); err != nil || waiting == 0 {
			return fmt.Errorf("no query waits for complaints (%v)", err)
		}
		return nil
	})
	// A second outage: its message goes out while the refresh still waits.
	r.line(line("D2"), linestate.Down, t0.Add(time.Minute))
	r.at(t0.Add(2 * time.Minute))
	lab.WaitFor(t, wait, 20*time.Millisecond, messages(2))
	if got := r.sink.Count(); len(got) != 2 {
		t.Fatalf("Message-IDs delivered: %v, want 2 distinct", got)
	}
}

// The backlog gauges: how many messages are unsent and how long ago the
// oldest due one was due; a message not yet due does not age the backlog.
func TestBacklogGauges(t *testing.T) {
	r := newRig(t, emailOnly(), nil)
	r.n.refreshGauge(r.ctx)
	if p, a := testutil.ToFloat64(r.n.m.pending), testutil.ToFloat64(r.n.m.oldestDue); p != 0 || a != 0 {
		t.Fatalf("empty outbox: pending %v, oldest due %v s", p, a)
	}
	for i, c := range []string{"D1", "D2"} {
		r.customer(c, "diamond", "noc@"+c+".example", "en")
		r.line(incident.Line{ID: "L-" + c, Customer: c, Tier: "diamond"}, linestate.Down, t0.Add(time.Duration(i)*time.Minute))
	}
	// D1's start message was due at t0+30s, D2's at t0+90s.
	r.at(t0.Add(80 * time.Second))
	r.n.refreshGauge(r.ctx)
	if p, a := testutil.ToFloat64(r.n.m.pending), testutil.ToFloat64(r.n.m.oldestDue); p != 2 || a != 50 {
		t.Fatalf("pending %v, oldest due %v s; want 2, 50 s", p, a)
	}
	r.at(t0.Add(2 * time.Minute))
	r.send()
	r.n.refreshGauge(r.ctx)
	if p, a := testutil.ToFloat64(r.n.m.pending), testutil.ToFloat64(r.n.m.oldestDue); p != 0 || a != 0 {
		t.Fatalf("all sent: pending %v, oldest due %v s", p, a)
	}
}

// A backlog larger than a batch is sent in one round of the sender's
// loop, batch after batch, not one batch per poll: that capped a sender
// at Batch/Poll messages per second (128/s at the cluster test's 500 ms).
// Here the poll is an hour, so only the first round can send.
func TestBacklogDrainsInOneRound(t *testing.T) {
	r := newRig(t, emailOnly(), func(o *Options) {
		o.Sender.Poll, o.Sender.Batch = time.Hour, 4
		o.Sender.PerChannel = map[string]Rate{Email: {Count: 1000, Per: time.Second}}
	})
	const backlog = 3*4 + 1
	seedOutbox(t, r, backlog)
	r.at(t0.Add(time.Minute))
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- r.n.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	wait, waitCancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer waitCancel()
	lab.WaitFor(t, wait, 20*time.Millisecond, func() error {
		if k := len(r.sink.Messages()); k < backlog {
			return fmt.Errorf("%d of %d messages delivered", k, backlog)
		}
		return nil
	})
	if got := r.sink.Count(); len(got) != backlog {
		t.Fatalf("%d Message-IDs delivered, want %d", len(got), backlog)
	}
	for id, k := range r.sink.Count() {
		if k != 1 {
			t.Errorf("%s delivered %d times", id, k)
		}
	}
}
