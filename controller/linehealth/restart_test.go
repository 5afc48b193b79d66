package linehealth

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// restartBacklog stops a single controller's Monitor after second 9 of
// L1's results and starts it again at wall-clock second 300, sixty
// horizons later (the fixture's horizon is 5 s); the stream held seconds
// 10–129 meanwhile (arrival = event time + 0.5 s), L1 failing in 10–99.
// The new Monitor ticks once before its consumer reports, then takes the
// backlog one message a tick, the wall clock standing at second 300, and
// ticks on to second 330. It returns L1's final outages and flaps
// ("kind start–end" in seconds) and how many incidents name L1.
func (f *fixture) restartBacklog(t *testing.T) ([]string, int) {
	t.Helper()
	ctx := context.Background()
	at := func(s int) time.Time { return f.t0.Add(time.Duration(s) * time.Second) }
	message := func(m *Monitor, s int) {
		if err := m.Handle(ctx, "agent-1", []result.Result{ping("L1", at(s), s < 10 || s >= 100)}); err != nil {
			t.Fatal(err)
		}
	}
	old := f.monitor(t)
	for s := 0; s < 10; s++ {
		message(old, s)
		old.Consumed(at(s).Add(500*time.Millisecond), true)
		f.now = at(s).Add(500 * time.Millisecond)
		if err := old.tick(ctx, f.now); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.shutdown(); err != nil {
		t.Fatal(err)
	}
	f.now = at(300)
	nw := f.monitor(t)
	if err := nw.tick(ctx, f.now); err != nil { // Run's first tick, before the first pull
		t.Fatal(err)
	}
	for s := 10; s < 130; s++ {
		message(nw, s)
		nw.Consumed(at(s).Add(500*time.Millisecond), s == 129)
		if err := nw.tick(ctx, f.now); err != nil {
			t.Fatal(err)
		}
	}
	for s := 300; s <= 330; s += 5 {
		f.now = at(s)
		nw.Consumed(time.Time{}, true)
		if err := nw.tick(ctx, f.now); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := f.db.Query(`SELECT kind, started_at, ended_at FROM line_events WHERE circuit_id = 'L1' AND final = 1 AND retracted_at IS NULL AND kind IN ('flap', 'outage') ORDER BY started_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var kind string
		var start, end int64
		if err := rows.Scan(&kind, &start, &end); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %d–%d", kind, (start-ms(f.t0))/1000, (end-ms(f.t0))/1000))
	}
	var incidents int
	if err := f.db.QueryRow(`SELECT COUNT(*) FROM incidents WHERE lines LIKE '%"L1"%' AND merged_into IS NULL`).Scan(&incidents); err != nil {
		t.Fatal(err)
	}
	return got, incidents
}

// TestRestartBacklogOlderThanHorizonCountedOnce: a single controller down
// for sixty horizons comes back with ArrivalClock (its ingest reports the
// consumer's progress) and stores the outage its backlog held once, with
// its start and end, and one incident for it. The down span the
// provisional view opened the incident from, and the incident's cause,
// are kept by the detector's clock: pruned by the wall clock (as before),
// the span was gone when the final outage sealed and a second incident
// was opened for it "late".
func TestRestartBacklogOlderThanHorizonCountedOnce(t *testing.T) {
	f := newFixture(t)
	f.opts.ArrivalClock = true
	got, incidents := f.restartBacklog(t)
	if len(got) != 1 || got[0] != "outage 10–100" {
		t.Errorf("L1's final events %q, want [outage 10–100]", got)
	}
	if incidents != 1 {
		t.Errorf("%d incidents name L1, want 1", incidents)
	}
}

// TestRestartBacklogWallClockRefused pins what the single controller did
// before its ingest reported progress (ArrivalClock off): the restarted
// Monitor's first tick moved its clock to the wall clock, and the whole
// backlog, sixty horizons old, was refused as too late.
func TestRestartBacklogWallClockRefused(t *testing.T) {
	f := newFixture(t)
	got, _ := f.restartBacklog(t)
	if len(got) != 0 {
		t.Errorf("L1's final events %q, want none (refused as too late)", got)
	}
}
