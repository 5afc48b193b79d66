package linestate

import (
	"os"
	"testing"
	"time"
)

// watchedFromBothEnds is line L1 probed at 1 Hz with confirmation (as
// agent/schedule emits it: 200 ms, k = 3, 60-s watch) by its CPE agent and
// by a watcher at another site, slots at different phases. The CPE's
// rounds fail in cut; the watcher's in cut and in uplink (its own uplink
// down). Every result arrives 250 ms after it happened except the CPE's
// inside spool.from..spool.to, which arrive at spool.to (its only uplink
// is the line); a zero spool means none.
func watchedFromBothEnds(cut, uplink []span, spool span, end float64) []arrival {
	cpe := agentSim{interval: time.Second, timeout: 200 * time.Millisecond, confirm: confirmed(3), spans: cut, source: "cpe-1"}
	wat := agentSim{interval: time.Second, timeout: 200 * time.Millisecond, confirm: confirmed(3),
		spans: append(append([]span(nil), cut...), uplink...), source: "watcher", phase: 0.37}
	var as []arrival
	for _, ev := range wat.evidence("L1", 0, end) {
		as = append(as, arrival{ev, ev.Time.Add(250 * time.Millisecond)})
	}
	for _, ev := range cpe.evidence("L1", 0, end) {
		arrive := ev.Time.Add(250 * time.Millisecond)
		if s := ev.Time.Sub(t0).Seconds(); s >= spool.from && s < spool.to {
			arrive = at(spool.to).Add(time.Duration(s*1000) * time.Microsecond) // oldest first
		}
		as = append(as, arrival{ev, arrive})
	}
	sortArrivals(as)
	return as
}

// playBoth feeds arrivals on a clock that follows them (Advance before each)
// and then seals everything; it returns the run with every output.
func playBoth(t *testing.T, as []arrival, end float64) *liveRun {
	t.Helper()
	r := newLiveRun(t)
	for _, a := range as {
		r.add(a.ev, a.at)
	}
	r.advance(at(end).Add(20 * time.Minute))
	return r
}

func provisional(r *liveRun) []Transition {
	var out []Transition
	for _, o := range r.out {
		for _, tr := range o.Transitions {
			if !tr.Final {
				out = append(out, tr)
			}
		}
	}
	return out
}

// TestWatcherUplinkKeepsLineUp (issue 11): the watcher's own uplink is down
// for five minutes while the CPE agent answers every second. The watcher
// fails three rounds (a slot and two confirmation rounds) within about
// 0.4 s between two of the CPE's answers, and keeps failing every 200 ms
// through its watch; the line must stay up: no down, no flap or outage,
// live or final, because the CPE answered within its own interval all
// along. Before the per-source rule it went down at once and stayed down.
func TestWatcherUplinkKeepsLineUp(t *testing.T) {
	r := newLiveRun(t)
	for _, a := range watchedFromBothEnds(nil, []span{{100, 400}}, span{}, 500) {
		r.add(a.ev, a.at)
	}
	if st, _ := r.d.State("L1"); st.State != Up {
		t.Errorf("L1 is %s, want up", st.State)
	}
	r.advance(at(500).Add(20 * time.Minute))
	for _, tr := range provisional(r) {
		if tr.To == Down || tr.To == Flapping {
			t.Errorf("provisional transition %s → %s at %s", tr.From, tr.To, tr.Time.Sub(t0))
		}
	}
	if evs := append(r.final(Flap), r.final(Outage)...); len(evs) != 0 {
		t.Errorf("final events for a line the CPE reached all along:%s", describe(evs))
	}
	for _, o := range r.out {
		for _, l := range o.Live {
			if len(l.Events) != 0 {
				t.Fatalf("live events:%s", describe(l.Events))
			}
		}
	}
}

// TestRecoveryPerSource (issue 11): with the watcher's uplink down, the
// line itself is cut for 30 s, the CPE's rounds failing too (arriving as
// they happen, or spooled behind the cut). That is one flap, ending when
// the CPE answers again: the watcher's failures, every 200 ms and then
// every second, neither reset the CPE's count of answered rounds nor hold
// the line down. Before, recovery needed two answered rounds in a row from
// any source, and the watcher's failures kept resetting it until its
// uplink came back at 400 s.
func TestRecoveryPerSource(t *testing.T) {
	for name, spool := range map[string]span{"cpe prompt": {}, "cpe spooled": {200, 230.6}} {
		t.Run(name, func(t *testing.T) {
			r := playBoth(t, watchedFromBothEnds([]span{{200, 230}}, []span{{100, 400}}, spool, 500), 500)
			evs := append(r.final(Flap), r.final(Outage)...)
			if len(evs) != 1 || evs[0].Kind != Flap {
				t.Fatalf("want one flap, got%s", describe(evs))
			}
			e := evs[0]
			if e.Start.Before(at(199)) || e.Start.After(at(201)) || e.End.Before(at(230)) || e.End.After(at(230.3)) {
				t.Errorf("flap %s..%s, want it to start within a second of 200 s and end by 230.3 s", e.Start.Sub(t0), e.End.Sub(t0))
			}
			downs := 0
			for _, tr := range provisional(r) {
				if tr.To == Down {
					downs++
				}
				if tr.To == Up && tr.From == Down && tr.Time.After(at(231)) {
					t.Errorf("provisional recovery at %s, want by 231 s", tr.Time.Sub(t0))
				}
			}
			if downs != 1 {
				t.Errorf("%d provisional transitions to down, want 1", downs)
			}
		})
	}
}

// TestOnlySeeingSourceDecides: when the CPE falls silent (powered off) the
// watcher is the only source that can see the line, and its failures put
// it down, stamped at the watcher's first failed round, as soon as the
// CPE's own interval plus AnswerGrace has passed without a round from it.
// The CPE answered at 100 s and is off from 100.2 s; the watcher fails
// three rounds by 100.61 s, but the line goes down only after 101.5 s.
func TestOnlySeeingSourceDecides(t *testing.T) {
	var as []arrival
	for _, a := range watchedFromBothEnds([]span{{100.2, 400}}, nil, span{}, 200) {
		if a.ev.Source == "cpe-1" && !a.ev.Time.Before(at(100.2)) {
			continue // the CPE is off
		}
		as = append(as, a)
	}
	r := newLiveRun(t)
	window := at(100 + 1.5) // the CPE's last round, its interval, AnswerGrace
	if g := DefaultParams().AnswerGrace; g != 500*time.Millisecond {
		t.Fatalf("AnswerGrace %s: the test assumes 500ms", g)
	}
	firstFail, seen := time.Time{}, false
	for _, a := range as {
		if a.ev.Source == "watcher" && a.ev.Kind == ProbeFail && firstFail.IsZero() {
			firstFail = a.ev.Time
		}
		r.add(a.ev, a.at) // Advance(a.at), then Add
		st, _ := r.d.State("L1")
		switch {
		case a.at.Before(window) && st.State == Down:
			t.Fatalf("down at %s, while the CPE still speaks for the line (until %s)", a.at.Sub(t0), window.Sub(t0))
		case !a.at.Before(window) && !seen:
			seen = true
			if st.State != Down || !st.Since.Equal(firstFail) {
				t.Fatalf("at %s L1 is %s since %s, want down since the watcher's first failed round %s",
					a.at.Sub(t0), st.State, st.Since.Sub(t0), firstFail.Sub(t0))
			}
		}
	}
	if !seen {
		t.Fatal("no arrival after the CPE's window")
	}
}

// TestRestoreVersion1Snapshot: a snapshot written by version 1 (testdata,
// made by the build before the per-source rule) restores. Its line is in an
// outage with one answered round of the CPE so far (12.5 s); version 1
// kept that count for the whole line, version 2 per source, so the
// conversion must give it to the CPE: its next answered round ends the
// outage at 12.5 s, not one round later.
func TestRestoreVersion1Snapshot(t *testing.T) {
	data, err := os.ReadFile("testdata/snapshot_v1_outage.bin")
	if err != nil {
		t.Fatal(err)
	}
	if data[len(snapshotMagic)] != 1 {
		t.Fatalf("testdata is version %d, want 1", data[len(snapshotMagic)])
	}
	d, _ := New(Options{Horizon: time.Second})
	if err := d.Restore(data); err != nil {
		t.Fatal(err)
	}
	if st, _ := d.State("L1"); st.State != Down || st.Final != Down {
		t.Fatalf("restored L1 is %s (final %s), want down", st.State, st.Final)
	}
	var evs []Event
	if o, v := d.Add(Evidence{Line: "L1", Source: "cpe", Probe: "ping/pop", Time: at(13.5), Kind: ProbeOK}); v != Accepted {
		t.Fatalf("%s", v)
	} else {
		evs = append(evs, o.Events...)
	}
	evs = append(evs, d.Advance(at(20)).Events...)
	out := eventsOf(evs, Flap)
	if len(out) != 1 || !out[0].Start.Equal(at(10)) || !out[0].End.Equal(at(12.5)) {
		t.Fatalf("want one flap 10s..12.5s, got%s", describe(evs))
	}
	// And it saves as the current version.
	snap, err := d.Snapshot()
	if err != nil || snap[len(snapshotMagic)] != snapshotVersion {
		t.Fatalf("snapshot: version %d, %v", snap[len(snapshotMagic)], err)
	}
}
