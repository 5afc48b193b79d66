package linehealth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// liveFixture is the fixture with the controller's production horizon
// (15 min) on an injected clock.
func liveFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.opts.Detector.Horizon = 0 // the default, 15 min
	return f
}

// second is f.t0 plus s seconds.
func (f *fixture) second(s float64) time.Time {
	return f.t0.Add(time.Duration(s * float64(time.Second)))
}

// deliver hands one agent's results to m at clock time arrive and ticks.
func (f *fixture) deliver(t *testing.T, m *Monitor, agent string, arrive time.Time, rs ...result.Result) {
	t.Helper()
	f.now = arrive
	if err := m.Handle(context.Background(), agent, rs); err != nil {
		t.Fatal(err)
	}
	if err := m.tick(context.Background(), f.now); err != nil {
		t.Fatal(err)
	}
}

// probeL1 sends agent-1's rounds on L1 for seconds [from, to), failing in
// [downAt, upAt), each arriving 0.5 s after it was made.
func (f *fixture) probeL1(t *testing.T, m *Monitor, from, to, downAt, upAt float64) {
	t.Helper()
	for s := from; s < to; s++ {
		f.deliver(t, m, "agent-1", f.second(s+0.5), ping("L1", f.second(s), !(s >= downAt && s < upAt)))
	}
}

// passHorizon moves the clock 16 minutes on, ticking every 10 s.
func (f *fixture) passHorizon(t *testing.T, m *Monitor) {
	t.Helper()
	end := f.now.Add(16 * time.Minute)
	for f.now.Before(end) {
		f.now = f.now.Add(10 * time.Second)
		if err := m.tick(context.Background(), f.now); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) line(t *testing.T, id string) LineDetail {
	t.Helper()
	d, err := f.reads(t).Line(context.Background(), AllCustomers, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) eventRows(t *testing.T, line string) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(`SELECT count(*) FROM line_events WHERE circuit_id = ?`, line).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Issue 11: with the production horizon, three flaps count at once as
// live events (final false), and when the horizon has passed they are the
// same three events, final, counted once each.
func TestLiveEventsCountAtOnceThenFinalSameID(t *testing.T) {
	f := liveFixture(t)
	m := f.monitor(t)
	f.probeL1(t, m, 0, 10, -1, -1)
	for i := range 3 {
		base := float64(10 + 10*i)
		f.probeL1(t, m, base, base+10, base+2, base+5) // 3 s down
	}
	d := f.line(t, "L1")
	if d.Flaps24h != 3 || d.Outages24h != 0 || len(d.Events) != 3 || d.Availability24h >= 100 {
		t.Fatalf("at once: %d flaps, %d outages, availability %v, events %+v; want 3 live flaps counted",
			d.Flaps24h, d.Outages24h, d.Availability24h, d.Events)
	}
	ids := map[int64]bool{}
	for _, e := range d.Events {
		if e.Final || e.Kind != "flap" || !e.Retracted.IsZero() {
			t.Fatalf("want live flaps, got %+v", e)
		}
		ids[e.ID] = true
	}
	f.probeL1(t, m, 40, 50, -1, -1)
	f.passHorizon(t, m)
	d = f.line(t, "L1")
	if d.Flaps24h != 3 || len(d.Events) != 3 || f.eventRows(t, "L1") != 3 {
		t.Fatalf("after the horizon: %d flaps, %d events, %d rows; want 3 each: %+v", d.Flaps24h, len(d.Events), f.eventRows(t, "L1"), d.Events)
	}
	for _, e := range d.Events {
		if !e.Final || !ids[e.ID] || len(e.Revisions) != 0 {
			t.Errorf("want the same events (ids %v) final and unrevised, got %+v", ids, e)
		}
	}
}

// Late evidence from a second agent (a CPE's spool) moves a live flap's
// start: the API shows the same event with a revision naming the agent;
// when final it stays that event.
func TestLateEvidenceRevisesStoredEvent(t *testing.T) {
	f := liveFixture(t)
	m := f.monitor(t)
	f.probeL1(t, m, 0, 20, 10, 12)
	d := f.line(t, "L1")
	if len(d.Events) != 1 || !d.Events[0].Start.Equal(f.second(10)) {
		t.Fatalf("want one live flap from 10 s, got %+v", d.Events)
	}
	id := d.Events[0].ID
	var spool []result.Result
	for s := 0.5; s < 12; s++ {
		spool = append(spool, ping("L1", f.second(s), s < 9))
	}
	f.deliver(t, m, "cpe-1", f.second(60), spool...)
	f.deliver(t, m, "agent-1", f.second(61), ping("L1", f.second(60.8), true))
	d = f.line(t, "L1")
	if len(d.Events) != 1 || d.Flaps24h != 1 {
		t.Fatalf("want one flap, got %d counted, events %+v", d.Flaps24h, d.Events)
	}
	e := d.Events[0]
	if e.ID != id || e.Final || !e.Start.Equal(f.second(9.5)) || len(e.Revisions) != 1 {
		t.Fatalf("want event %d live, moved to 9.5 s with one revision, got %+v", id, e)
	}
	r := e.Revisions[0]
	if r.Change != "revised" || len(r.Fields) != 1 || r.Fields[0].Field != "start" || len(r.LateEvidence) != 1 ||
		r.LateEvidence[0].Agent != "cpe-1" || !strings.Contains(r.Cause, "cpe-1") {
		t.Fatalf("revision %+v: want the start moved by late evidence from cpe-1", r)
	}
	f.passHorizon(t, m)
	d = f.line(t, "L1")
	if len(d.Events) != 1 || d.Events[0].ID != id || !d.Events[0].Final || len(d.Events[0].Revisions) != 1 || d.Flaps24h != 1 {
		t.Fatalf("after the horizon want event %d final, counted once, its one revision kept: %+v", id, d.Events)
	}
}

// Late evidence that the line answered throughout retracts the live flap
// visibly: still listed, marked retracted with the reason, not counted,
// and never made final.
func TestLateEvidenceRetractsStoredEvent(t *testing.T) {
	f := liveFixture(t)
	m := f.monitor(t)
	f.probeL1(t, m, 0, 20, 10, 12)
	var spool []result.Result
	for s := 0.5; s < 20; s++ {
		spool = append(spool, ping("L1", f.second(s), true))
	}
	f.deliver(t, m, "cpe-1", f.second(60), spool...)
	f.deliver(t, m, "agent-1", f.second(61), ping("L1", f.second(60.8), true))
	check := func(when string) {
		t.Helper()
		d := f.line(t, "L1")
		if d.Flaps24h != 0 || len(d.Events) != 1 || d.Events[0].Retracted.IsZero() || d.Events[0].Final {
			t.Fatalf("%s: want the flap listed as retracted and not counted, got %d flaps, %+v", when, d.Flaps24h, d.Events)
		}
		revs := d.Events[0].Revisions
		if len(revs) != 1 || revs[0].Change != "retracted" || !strings.Contains(revs[0].Cause, "cpe-1") {
			t.Fatalf("%s: want one retraction naming cpe-1, got %+v", when, revs)
		}
	}
	check("at once")
	f.passHorizon(t, m)
	check("after the horizon")
}

// A crash after a live event was committed and before it became final
// neither loses nor doubles it: the restarted Monitor (from a snapshot
// taken before the flap, or after it, plus the journal) makes the same row
// final.
func TestCrashBetweenLiveAndFinal(t *testing.T) {
	for _, snapAfter := range []bool{false, true} {
		name := map[bool]string{false: "snapshot before the flap", true: "snapshot after the flap"}[snapAfter]
		t.Run(name, func(t *testing.T) {
			f := liveFixture(t)
			m := f.monitor(t)
			f.probeL1(t, m, 0, 8, -1, -1)
			if !snapAfter {
				if err := m.snapshot(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			f.probeL1(t, m, 8, 20, 10, 13)
			if snapAfter {
				if err := m.snapshot(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			d := f.line(t, "L1")
			if len(d.Events) != 1 || d.Events[0].Final || d.Flaps24h != 1 {
				t.Fatalf("before the crash want one live flap, got %+v", d.Events)
			}
			id := d.Events[0].ID
			// The crash: m is abandoned without its shutdown; a new
			// Monitor starts on the same database.
			m2 := f.monitor(t)
			if d := f.line(t, "L1"); d.Flaps24h != 1 || len(d.Events) != 1 || d.Events[0].ID != id {
				t.Fatalf("after the restart want the same live flap counted once, got %d: %+v", d.Flaps24h, d.Events)
			}
			f.probeL1(t, m2, 20, 30, -1, -1)
			f.passHorizon(t, m2)
			d = f.line(t, "L1")
			if d.Flaps24h != 1 || len(d.Events) != 1 || d.Events[0].ID != id || !d.Events[0].Final || f.eventRows(t, "L1") != 1 {
				t.Fatalf("want event %d final, counted once, one row (have %d): %+v", id, f.eventRows(t, "L1"), d.Events)
			}
		})
	}
}

// Evidence only a little late (within the reorder slack) that would move
// the live flap is not applied at its arrival time (that split one cut
// seen from both ends into several, linestate doc.go "Late evidence"): the
// live view is rebuilt with it in place, so the same event is revised
// before the horizon, naming the late source, and the final event agrees
// with it.
func TestSlightlyLateEvidenceRevisesLiveEventAtOnce(t *testing.T) {
	f := liveFixture(t)
	m := f.monitor(t)
	f.probeL1(t, m, 0, 14, 10, 12)
	d := f.line(t, "L1")
	if len(d.Events) != 1 || !d.Events[0].Start.Equal(f.second(10)) {
		t.Fatalf("want one live flap from 10 s, got %+v", d.Events)
	}
	id := d.Events[0].ID
	f.deliver(t, m, "cpe-1", f.second(14.6), ping("L1", f.second(9.5), false))
	f.probeL1(t, m, 14, 20, -1, -1)
	d = f.line(t, "L1")
	if len(d.Events) != 1 || d.Events[0].ID != id || d.Events[0].Final || !d.Events[0].Start.Equal(f.second(9.5)) || len(d.Events[0].Revisions) != 1 {
		t.Fatalf("want live flap %d revised to start at 9.5 s before the horizon, got %+v", id, d.Events)
	}
	if r := d.Events[0].Revisions[0]; r.Change != "revised" || r.Final || r.Fields[0].Field != "start" || !strings.Contains(r.Cause, "cpe-1") {
		t.Fatalf("revision %+v: want the start moved live because of cpe-1", r)
	}
	f.passHorizon(t, m)
	d = f.line(t, "L1")
	if len(d.Events) != 1 || d.Flaps24h != 1 {
		t.Fatalf("want one flap counted once, got %d: %+v", d.Flaps24h, d.Events)
	}
	e := d.Events[0]
	if e.ID != id || !e.Final || !e.Start.Equal(f.second(9.5)) || len(e.Revisions) != 1 || e.Revisions[0].Final {
		t.Fatalf("want event %d final from 9.5 s with only its live revision, got %+v", id, e)
	}
}
