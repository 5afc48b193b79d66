package linestate

import (
	"testing"
	"time"
)

// liveRun feeds evidence one by one, each on a clock at its arrival, and
// keeps every output.
type liveRun struct {
	t   *testing.T
	d   *Detector
	out []Output
}

func newLiveRun(t *testing.T) *liveRun {
	d, err := New(Options{}) // production defaults: a 15-min horizon
	if err != nil {
		t.Fatal(err)
	}
	return &liveRun{t: t, d: d}
}

func (r *liveRun) add(ev Evidence, arrive time.Time) {
	r.out = append(r.out, r.d.Advance(arrive))
	o, v := r.d.Add(ev)
	if v != Accepted {
		r.t.Fatalf("%+v: %s", ev, v)
	}
	r.out = append(r.out, o)
}

func (r *liveRun) advance(to time.Time) { r.out = append(r.out, r.d.Advance(to)) }

// lastLive is the line's live set as the outputs last gave it, and
// whether any output gave one.
func (r *liveRun) lastLive(line string) (LiveSet, bool) {
	var s LiveSet
	ok := false
	for _, o := range r.out {
		for _, l := range o.Live {
			if l.Line == line {
				s, ok = l, true
			}
		}
	}
	return s, ok
}

func (r *liveRun) final(kind EventKind) []Event {
	var evs []Event
	for _, o := range r.out {
		evs = append(evs, eventsOf(o.Events, kind)...)
	}
	return evs
}

func probe(agent string, s float64, ok bool) Evidence {
	ev := Evidence{Line: "L1", Source: agent, Probe: "ping/pop", Time: at(s), Kind: ProbeOK}
	if !ok {
		ev.Kind = ProbeFail
	}
	return ev
}

// With the production horizon a 3-s flap is in the line's live set as
// soon as the round that ends it arrives, not a quarter of an hour later;
// when the horizon passes it comes out once as a final event and leaves
// the live set in the same output.
func TestLiveFlapAtOnceThenFinalOnce(t *testing.T) {
	r := newLiveRun(t)
	for s := 0.0; s < 30; s++ {
		r.add(probe("pop-1", s, s < 10 || s >= 13), at(s+0.2))
	}
	live, ok := r.lastLive("L1")
	if !ok || len(live.Events) != 1 || live.Events[0].Kind != Flap || !live.Events[0].Start.Equal(at(10)) ||
		!live.Events[0].End.Equal(at(13)) {
		t.Fatalf("want the flap [10s, 13s) live at once, got %+v (given: %v)", live, ok)
	}
	if f := r.final(Flap); len(f) != 0 {
		t.Fatalf("final before the horizon: %s", describe(f))
	}
	n := len(r.out)
	for s := 30.0; s < 20*60; s += 10 {
		r.advance(at(s))
	}
	f := r.final(Flap)
	if len(f) != 1 || !f[0].Start.Equal(at(10)) || !f[0].End.Equal(at(13)) {
		t.Fatalf("want one final flap [10s, 13s), got %s", describe(f))
	}
	for _, o := range r.out[n:] {
		if len(o.Events) > 0 {
			if len(o.Live) != 1 || len(o.Live[0].Events) != 0 {
				t.Fatalf("the final flap's output must empty the live set, got %+v", o.Live)
			}
		}
	}
	if live, _ := r.lastLive("L1"); len(live.Events) != 0 {
		t.Fatalf("live set after the horizon: %+v", live)
	}
}

// Evidence of a second source arriving late (a CPE agent's spool) moves
// the live flap's start, and the live set says whose evidence did it.
func TestLateEvidenceRevisesLiveSet(t *testing.T) {
	r := newLiveRun(t)
	for s := 0.0; s < 20; s++ {
		r.add(probe("pop-1", s, s < 10 || s >= 12), at(s+0.2))
	}
	if live, _ := r.lastLive("L1"); len(live.Events) != 1 || !live.Events[0].Start.Equal(at(10)) {
		t.Fatalf("want the live flap from 10 s, got %+v", live)
	}
	// cpe-1's spool: fine until 8.5 s, failing from 9.5 s, arriving at 60 s.
	for s := 0.5; s < 12; s++ {
		r.add(probe("cpe-1", s, s < 9), at(60))
	}
	r.advance(at(61)) // the rebuild
	live, _ := r.lastLive("L1")
	if len(live.Events) != 1 || !live.Events[0].Start.Equal(at(9.5)) || !live.Events[0].End.Equal(at(12)) {
		t.Fatalf("want the live flap moved to [9.5s, 12s), got %+v", live)
	}
	if len(live.Late) != 1 || live.Late[0].Source != "cpe-1" || !live.Late[0].From.Equal(at(0.5)) {
		t.Fatalf("want the late evidence named (cpe-1 from 0.5 s), got %+v", live.Late)
	}
	for s := 70.0; s < 20*60; s += 10 {
		r.advance(at(s))
	}
	if f := r.final(Flap); len(f) != 1 || !f[0].Start.Equal(at(9.5)) {
		t.Fatalf("want one final flap from 9.5 s, got %s", describe(f))
	}
}

// Late evidence that the line answered in between retracts a live flap:
// the live set goes empty with the reason, and no final flap follows.
func TestLateEvidenceRetractsLiveFlap(t *testing.T) {
	r := newLiveRun(t)
	for s := 0.0; s < 20; s++ {
		r.add(probe("pop-1", s, s < 10 || s >= 12), at(s+0.2))
	}
	if live, _ := r.lastLive("L1"); len(live.Events) != 1 {
		t.Fatalf("want a live flap, got %+v", live)
	}
	for s := 0.5; s < 20; s++ {
		r.add(probe("cpe-1", s, true), at(60))
	}
	r.advance(at(61))
	live, _ := r.lastLive("L1")
	if len(live.Events) != 0 || len(live.Late) != 1 || live.Late[0].Source != "cpe-1" {
		t.Fatalf("want the live flap retracted because of cpe-1, got %+v", live)
	}
	for s := 70.0; s < 20*60; s += 10 {
		r.advance(at(s))
	}
	if f := r.final(Flap); len(f) != 0 {
		t.Fatalf("retracted flap became final: %s", describe(f))
	}
}

// A restored detector has the same live set as the one that was saved.
func TestRestoreKeepsLiveSet(t *testing.T) {
	r := newLiveRun(t)
	for s := 0.0; s < 20; s++ {
		r.add(probe("pop-1", s, s < 10 || s >= 13), at(s+0.2))
	}
	snap, err := r.d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := New(Options{})
	if err := d2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	got := d2.Live()
	if len(got) != 1 || len(got[0].Events) != 1 || !got[0].Events[0].Start.Equal(at(10)) {
		t.Fatalf("restored live set %+v", got)
	}
}

// An outage in progress is in the line's live set at once, open (no End),
// from the Add that put the line down; when it ends the set holds the same
// event with its End, and a restored detector's Live has the open one too.
func TestLiveSetHoldsOpenOutage(t *testing.T) {
	r := newLiveRun(t)
	for s := 0.0; s < 10; s++ {
		r.add(probe("a", s, true), at(s+0.2))
	}
	for s := 10.0; s < 12; s++ {
		r.add(probe("a", s, false), at(s+0.2))
	}
	if set, _ := r.lastLive("L1"); len(set.Events) != 0 {
		t.Fatalf("two failed rounds: live %s", describe(set.Events))
	}
	r.add(probe("a", 12, false), at(12.2)) // k = 3: down
	set, ok := r.lastLive("L1")
	if !ok || len(set.Events) != 1 || set.Events[0].Kind != Outage || !set.Events[0].Start.Equal(at(10)) || !set.Events[0].End.IsZero() {
		t.Fatalf("down: want the open outage from 10 s in the live set, got %v%s", ok, describe(set.Events))
	}
	snap, err := r.d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := New(Options{})
	if err := d2.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if l := d2.Live(); len(l) != 1 || len(l[0].Events) != 1 || !l[0].Events[0].End.IsZero() {
		t.Fatalf("restored Live: %+v", l)
	}
	for s := 13.0; s < 100; s++ {
		r.add(probe("a", s, s >= 95), at(s+0.2))
	}
	set, _ = r.lastLive("L1")
	if len(set.Events) != 1 || set.Events[0].Kind != Outage || !set.Events[0].Start.Equal(at(10)) || !set.Events[0].End.Equal(at(95)) {
		t.Fatalf("ended: want the outage 10–95 s, got%s", describe(set.Events))
	}
}
