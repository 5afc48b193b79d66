package notify

import (
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/store/storetest"
)

// On PostgreSQL two controllers write line events at once, and an event
// may commit after one with a higher id was read and the cursor moved
// past it. It is still told (with the cursor alone it never was).
func TestDegradationCommittedOutOfIDOrder(t *testing.T) {
	storetest.PostgresOnly(t)
	r := newRig(t, emailOnly(), nil)
	r.customer("D1", "diamond", "ann@d1.example", "en")
	r.exec(`INSERT INTO lines (circuit_id, customer_id) VALUES ('L1', 'D1'), ('L2', 'D1')`)
	if err := r.n.PollEvents(r.ctx); err != nil { // the cursor starts here
		t.Fatal(err)
	}
	r.at(t0.Add(time.Hour))
	const insert = `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, duration_s, loss_pct, recorded_at)
		VALUES (?, 'degraded', ?, ?, 1200, 3.5, ?)`
	slow, err := r.db.BeginTx(r.ctx, nil) // the other controller's commit, still open
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback()
	if _, err := slow.ExecContext(r.ctx, insert, "L1", t0.UnixMilli(), t0.Add(20*time.Minute).UnixMilli(), r.clock().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	r.exec(insert, "L2", t0.UnixMilli(), t0.Add(20*time.Minute).UnixMilli(), r.clock().UnixMilli()) // a higher id, committed first
	if err := r.n.PollEvents(r.ctx); err != nil {
		t.Fatal(err)
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := r.n.PollEvents(r.ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.send()
	got := map[string]int{}
	for _, m := range r.sink.Messages() {
		for _, l := range []string{"L1", "L2"} {
			if containsWord(m.Subject+"\n"+m.Text(), l) {
				got[l]++
			}
		}
	}
	if got["L1"] != 1 || got["L2"] != 1 || len(r.sink.Messages()) != 2 {
		t.Fatalf("degradation messages per line %v (%d messages), want one each for L1 and L2", got, len(r.sink.Messages()))
	}
}

func containsWord(text, w string) bool {
	for i := 0; i+len(w) <= len(text); i++ {
		if text[i:i+len(w)] == w && (i+len(w) == len(text) || text[i+len(w)] < '0' || text[i+len(w)] > '9') {
			return true
		}
	}
	return false
}
