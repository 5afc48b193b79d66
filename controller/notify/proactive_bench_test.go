package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkProactiveRefresh times the proactive ratio's refresh (30 days)
// at provincial scale: 50,000 lines, 73,000 incidents and 10,000
// complaints a 30-day period (bench/api's figures), two sent messages a
// customer impact, one incident in sixteen merged into another. history
// is how many days the tables hold (30, and 90: the notifications'
// retention), so a refresh whose cost grows with history shows it. It
// reports wall and the test process's CPU per refresh (the database
// server's is not in it on PostgreSQL: see EXPLAIN ANALYZE in
// docs/BENCHMARKS.md).
// go test -run '^$' -bench ProactiveRefresh -benchtime 3x ./controller/notify/ (VANTAGE_TEST_DB=postgres)
func BenchmarkProactiveRefresh(b *testing.B) {
	for _, days := range []int{30, 90} {
		b.Run(fmt.Sprintf("history=%dd", days), func(b *testing.B) {
			r := newRig(b, DefaultRules(), nil)
			now := t0
			seedProvince(b, r, now, days)
			r.at(now)
			var impacts, told int
			b.ResetTimer()
			var before syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
			start := time.Now()
			for range b.N {
				customers, _, err := r.n.Proactive(r.ctx, now.Add(-30*24*time.Hour), now)
				if err != nil {
					b.Fatal(err)
				}
				impacts, told = 0, 0
				for _, c := range customers {
					impacts += c.Impacts
					told += c.ToldFirst
				}
			}
			took := time.Since(start)
			var after syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
			cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
			b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "ms/refresh")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/refresh")
			b.ReportMetric(float64(impacts), "impacts")
			b.ReportMetric(float64(told), "told-first")
		})
	}
}

// Provincial scale, per 30 days.
const (
	provLines      = 50000
	provCustomers  = 5000
	provIncidents  = 73000
	provComplaints = 10000
)

// seedProvince writes days of incidents (facts), sent messages and
// complaints ending at now, at provincial scale per 30 days.
func seedProvince(b testing.TB, r *rig, now time.Time, days int) {
	b.Helper()
	ctx := r.ctx
	rng := rand.New(rand.NewSource(int64(days)))
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	ins := func(head string, cols int) *rowBatch {
		return &rowBatch{ctx: ctx, tb: b, tx: tx, head: head, cols: cols}
	}
	tiers := []string{"ab_group", "diamond", "gold", "silver", "standard"}
	cust := ins(`INSERT INTO customers (id, name, tier) VALUES `, 3)
	for i := range provCustomers {
		c := fmt.Sprintf("C%05d", i)
		cust.add(c, "Customer "+c, tiers[i%len(tiers)])
	}
	cust.flush()
	facts := ins(`INSERT INTO notify_incidents (incident_id, facts, updated_at) VALUES `, 3)
	out := ins(`INSERT INTO notify_outbox (key, incident_id, customer_id, kind, channel, recipient, status, due_at,
		next_attempt_at, incident_start, created_at, sent_at, message_id) VALUES `, 13)
	span := time.Duration(days) * 24 * time.Hour
	k := provIncidents * days / 30
	for i := range k {
		id := int64(i + 1)
		start := now.Add(-span + span/time.Duration(k)*time.Duration(i)).Truncate(time.Millisecond)
		f := Facts{Incident: id, Kind: []string{"outage", "outage", "outage", "flapping"}[rng.Intn(4)], Start: start,
			Cause: "line"}
		if i < k-50 { // the newest are open
			f.End = start.Add(time.Duration(rng.Int63n(int64(2 * time.Hour))))
		}
		if i > 0 && rng.Intn(16) == 0 {
			f.MergedInto = id - 1 - rng.Int63n(min(id-1, 20))
		}
		for range 1 + rng.Intn(3) {
			line := rng.Intn(provLines)
			f.Lines = append(f.Lines, FactLine{Line: fmt.Sprintf("L%05d", line), Customer: fmt.Sprintf("C%05d", line%provCustomers),
				Down: start})
		}
		raw, _ := json.Marshal(f)
		updated := start
		if !f.End.IsZero() {
			updated = f.End
		}
		facts.add(id, string(raw), updated.UnixMilli())
		for j, l := range f.Lines {
			for _, kind := range []string{OutageStart, OutageEnd} {
				key := fmt.Sprintf("p/%d/%d/%s", id, j, kind)
				at := start.Add(time.Minute).UnixMilli()
				out.add(key, id, l.Customer, kind, "email", "noc@"+l.Customer+".example", "sent", at, at, start.UnixMilli(), at, at, key)
			}
		}
	}
	facts.flush()
	out.flush()
	comp := ins(`INSERT INTO complaints (id, received_at, category, intake_hash, linked_customer, created_at, updated_at) VALUES `, 7)
	for i := range provComplaints * days / 30 {
		at := now.Add(-time.Duration(rng.Int63n(int64(span)))).UnixMilli()
		id := fmt.Sprintf("K%06d", i)
		comp.add(id, at, "line_interruption", id, fmt.Sprintf("C%05d", rng.Intn(provCustomers)), at, at)
	}
	comp.flush()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for _, t := range []string{"customers", "notify_incidents", "notify_outbox", "complaints"} {
		if _, err := r.db.ExecContext(ctx, "ANALYZE "+t); err != nil {
			b.Fatal(err)
		}
	}
}

// rowBatch inserts rows 200 to a statement.
type rowBatch struct {
	ctx  context.Context
	tb   testing.TB
	tx   *sql.Tx
	head string
	cols int
	args []any
}

func (b *rowBatch) add(vals ...any) {
	b.args = append(b.args, vals...)
	if len(b.args) >= 200*b.cols {
		b.flush()
	}
}

func (b *rowBatch) flush() {
	if len(b.args) == 0 {
		return
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", b.cols), ", ") + ")"
	rows := strings.TrimSuffix(strings.Repeat(row+", ", len(b.args)/b.cols), ", ")
	if _, err := b.tx.ExecContext(b.ctx, b.head+rows, b.args...); err != nil {
		b.tb.Fatalf("%s: %v", b.head, err)
	}
	b.args = b.args[:0]
}
