package linehealth

import (
	"context"
	"math"
	"testing"
	"time"
)

// openOutage checks that L1 has exactly one event, the outage from start
// still open (live, no end), counted in outages_24h and once in
// availability up to the clock; it returns its id.
func (f *fixture) openOutage(t *testing.T, start time.Time) int64 {
	t.Helper()
	d := f.line(t, "L1")
	if d.State != "down" || len(d.Events) != 1 || f.eventRows(t, "L1") != 1 {
		t.Fatalf("L1 %s with %d events (%d rows), want down with one: %+v", d.State, len(d.Events), f.eventRows(t, "L1"), d.Events)
	}
	e := d.Events[0]
	if e.Kind != "outage" || !e.Open || e.Final || !e.End.IsZero() || !e.Start.Equal(start) || !e.Retracted.IsZero() {
		t.Fatalf("want an open live outage from %s, got %+v", start, e)
	}
	if d.Outages24h != 1 || d.Flaps24h != 0 {
		t.Fatalf("open outage: outages_24h %d, flaps_24h %d; want 1, 0", d.Outages24h, d.Flaps24h)
	}
	want := 100 * (1 - f.now.Sub(start).Seconds()/day.Seconds())
	if math.Abs(d.Availability24h-want) > 1e-9 {
		t.Fatalf("availability_24h %.9f, want %.9f (the open outage counted once, up to now)", d.Availability24h, want)
	}
	return e.ID
}

// Issue 11: an outage in progress is a live event at once: open (no end),
// final false, counted in outages_24h and availability; when it ends it
// is the same event with its end, final after the horizon, one row, also
// when the controller restarts while it is open (snapshot taken before the
// outage began, or while it was open: the journal and the restored live
// set find the row).
func TestOpenOutageIsLiveEventSameIDToFinal(t *testing.T) {
	for _, restart := range []string{"no restart", "restart, snapshot before", "restart, snapshot while open"} {
		t.Run(restart, func(t *testing.T) {
			f := liveFixture(t)
			m := f.monitor(t)
			f.probeL1(t, m, 0, 10, -1, -1)
			if restart == "restart, snapshot before" {
				if err := m.snapshot(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			f.probeL1(t, m, 10, 20, 10, 100) // down from 10 s
			id := f.openOutage(t, f.second(10))
			if restart != "no restart" {
				if restart == "restart, snapshot while open" {
					if err := m.snapshot(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
				m = f.monitor(t) // the crash: m abandoned without shutdown
				if got := f.openOutage(t, f.second(10)); got != id {
					t.Fatalf("after the restart the open outage is event %d, was %d", got, id)
				}
			}
			f.probeL1(t, m, 20, 90, 10, 100)
			if got := f.openOutage(t, f.second(10)); got != id {
				t.Fatalf("open outage is event %d, was %d", got, id)
			}
			f.probeL1(t, m, 90, 110, 10, 100) // back at 100 s
			d := f.line(t, "L1")
			if d.State != "up" || len(d.Events) != 1 || f.eventRows(t, "L1") != 1 || d.Outages24h != 1 {
				t.Fatalf("ended: %s, %d outages, %d rows: %+v", d.State, d.Outages24h, f.eventRows(t, "L1"), d.Events)
			}
			e := d.Events[0]
			if e.ID != id || e.Open || e.Final || !e.End.Equal(f.second(100)) || e.Kind != "outage" || len(e.Revisions) != 0 {
				t.Fatalf("want event %d live, ended at 100 s, unrevised, got %+v", id, e)
			}
			f.passHorizon(t, m)
			d = f.line(t, "L1")
			e = d.Events[0]
			if len(d.Events) != 1 || d.Outages24h != 1 || f.eventRows(t, "L1") != 1 || e.ID != id || !e.Final || !e.End.Equal(f.second(100)) || len(e.Revisions) != 0 {
				t.Fatalf("after the horizon want event %d final, counted once, one row (%d): %+v", id, f.eventRows(t, "L1"), d.Events)
			}
		})
	}
}

// An open outage that ends within the flap threshold is a flap: the same
// event, moved from outages_24h to flaps_24h, never in both.
func TestOpenOutageEndsAsFlapSameID(t *testing.T) {
	f := liveFixture(t)
	m := f.monitor(t)
	f.probeL1(t, m, 0, 10, -1, -1)
	f.probeL1(t, m, 10, 14, 10, 15)
	id := f.openOutage(t, f.second(10))
	f.probeL1(t, m, 14, 25, 10, 15)
	d := f.line(t, "L1")
	if len(d.Events) != 1 || d.Flaps24h != 1 || d.Outages24h != 0 || f.eventRows(t, "L1") != 1 {
		t.Fatalf("want one flap counted once, got %d flaps, %d outages: %+v", d.Flaps24h, d.Outages24h, d.Events)
	}
	if e := d.Events[0]; e.ID != id || e.Kind != "flap" || e.Open || !e.End.Equal(f.second(15)) || e.Final {
		t.Fatalf("want event %d a live flap 10–15 s, got %+v", id, e)
	}
	f.passHorizon(t, m)
	if d := f.line(t, "L1"); len(d.Events) != 1 || d.Events[0].ID != id || !d.Events[0].Final || d.Flaps24h != 1 || d.Outages24h != 0 {
		t.Fatalf("after the horizon want flap %d final, counted once: %+v", id, d.Events)
	}
}

// A crash after an open outage has ended as a flap, with the snapshot from
// before it: the replay passes through the open outage again, and must find
// the flap's row (same start, the kind it had then) rather than store a
// second event that the flap then supersedes, retracted but still listed
// (TestFaultInfluxDownControllerKilled saw 5 events for 3 flaps).
func TestReplayedOpenOutageFindsItsFlap(t *testing.T) {
	f := liveFixture(t)
	m := f.monitor(t)
	f.probeL1(t, m, 0, 10, -1, -1)
	if err := m.snapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.probeL1(t, m, 10, 14, 10, 15)
	first := f.openOutage(t, f.second(10))
	f.probeL1(t, m, 14, 24, 10, 15)
	f.probeL1(t, m, 24, 28, 25, 30)
	var second int64
	for _, e := range f.line(t, "L1").Events {
		if e.Open && e.Start.Equal(f.second(25)) {
			second = e.ID
		}
	}
	f.probeL1(t, m, 28, 40, 25, 30)
	m = f.monitor(t) // the crash: m abandoned without shutdown, journal replayed
	d := f.line(t, "L1")
	ok := len(d.Events) == 2 && d.Flaps24h == 2 && f.eventRows(t, "L1") == 2
	for _, e := range d.Events {
		ok = ok && e.Kind == "flap" && e.Retracted.IsZero() && (e.ID == first || e.ID == second)
	}
	if !ok {
		t.Fatalf("after the restart want flaps %d and %d alone, counted once (%d rows): %+v", first, second, f.eventRows(t, "L1"), d.Events)
	}
	f.probeL1(t, m, 40, 50, -1, -1)
	f.passHorizon(t, m)
	d = f.line(t, "L1")
	if len(d.Events) != 2 || !d.Events[0].Final || !d.Events[1].Final || d.Flaps24h != 2 || f.eventRows(t, "L1") != 2 {
		t.Fatalf("after the horizon want flaps %d and %d final, counted once (%d rows): %+v", first, second, f.eventRows(t, "L1"), d.Events)
	}
}
