package linehealth

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// handover runs a partition handover whose backlog is older than the
// horizon by the time the new owner gets to it: the old owner (p0) takes
// seconds 0–9 of A1 and A2 and hands over; A1 fails in seconds 10–16;
// every second's results reach the stream on time (arrival = event time
// + 0.5 s), but the new owner starts at second takeover (the fixture's
// horizon is 5 s), its clock loop ticks once before its consumer pulls the
// backlog, and then takes seconds 10–39 one message each, reporting its
// consumer's progress. It returns A1's final flaps and outages as
// "kind start–end" in seconds.
func (f *fixture) handover(t *testing.T, arrivalClock bool, takeover int) []string {
	t.Helper()
	ctx := context.Background()
	f.opts.ArrivalClock = arrivalClock
	old, err := f.partitionMonitor(t, "p0", "ctl-a")
	if err != nil {
		t.Fatal(err)
	}
	a := []string{"A1", "A2"}
	at := func(s int) time.Time { return f.t0.Add(time.Duration(s) * time.Second) }
	message := func(m *Monitor, s int) {
		var rs []result.Result
		for _, l := range a {
			rs = append(rs, ping(l, at(s), !(l == "A1" && s >= 10 && s < 17)))
		}
		if err := m.Handle(ctx, "agent-1", rs); err != nil {
			t.Fatal(err)
		}
	}
	for s := 0; s < 10; s++ {
		message(old, s)
		old.Consumed(at(s).Add(500*time.Millisecond), true)
		f.now = at(s).Add(500 * time.Millisecond)
		if err := old.tick(ctx, f.now); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.shutdown(); err != nil { // the graceful hand-back: last commit, last snapshot
		t.Fatal(err)
	}
	f.now = at(takeover)
	nw, err := f.partitionMonitor(t, "p0", "ctl-c")
	if err != nil {
		t.Fatal(err)
	}
	if err := nw.tick(ctx, f.now); err != nil { // Run's first tick, before the first pull
		t.Fatal(err)
	}
	for s := 10; s < 40; s++ {
		message(nw, s)
		nw.Consumed(at(s).Add(500*time.Millisecond), s == 39)
		if s >= takeover {
			f.now = at(s).Add(500 * time.Millisecond)
		}
		if err := nw.tick(ctx, f.now); err != nil {
			t.Fatal(err)
		}
	}
	f.now = at(50)
	if err := nw.tick(ctx, f.now); err != nil {
		t.Fatal(err)
	}
	rows, err := f.db.Query(`SELECT kind, started_at, ended_at FROM line_events WHERE circuit_id = 'A1' AND final = 1 AND kind IN ('flap', 'outage') ORDER BY started_at`)
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
	return got
}

// TestHandoverBacklogLaterThanHorizonPlacedExactly: with ArrivalClock a
// partition's new owner places a backlog that reached the stream on time
// exactly, however long the handover took; the detector's clock waits
// for the consumer. Without it (as before), the new owner's first tick
// moved the watermark to its wall clock minus the horizon and refused the
// backlog's first 20 s as too late: in cluster mode's short form an
// outage stamped 3 s late (+36 s instead of +33 s, same end).
func TestHandoverBacklogLaterThanHorizonPlacedExactly(t *testing.T) {
	for _, takeover := range []int{17, 30} {
		f := newFixtureWith(t, partitionInventory)
		if got := f.handover(t, true, takeover); len(got) != 1 || got[0] != "flap 10–17" {
			t.Errorf("takeover at second %d: A1's final events %q, want [flap 10–17]", takeover, got)
		}
	}
}

// TestHandoverBacklogWallClockMisStamps is the same handover on the wall
// clock (ArrivalClock off, as a single controller's Monitor runs, and as
// every partition ran before): the new owner's first tick seals up to
// second 12, the flap's first two failed rounds are refused, and it is
// stored 2 s late with the right end, as the short form's outage was. It
// pins what the option changes.
func TestHandoverBacklogWallClockMisStamps(t *testing.T) {
	f := newFixtureWith(t, partitionInventory)
	if got := f.handover(t, false, 17); len(got) != 1 || got[0] != "flap 12–17" {
		t.Fatalf("A1's final events %q, want [flap 12–17]", got)
	}
}
