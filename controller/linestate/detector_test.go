package linestate

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

// A 2-s interruption probed at 1 Hz from both ends (CPE and PoP agents,
// half a second apart), also reported by SNMP as an unseen flap, and
// delivered twice: one flap, about 2 s long, and no down state.
func TestTwoSecondFlapCountedOnce(t *testing.T) {
	spans := []span{{100.2, 102.2}}
	evs := append(pingStream("L1", "cpe-1", 0, 300, 1, spans), pingStream("L1", "pop-1", 0.5, 300, 1, spans)...)
	evs = append(evs, Evidence{Line: "L1", Source: "pop-1/pe1", Probe: "snmp_event/poll/7", Kind: FlapBetween,
		From: at(90), Time: at(120)})
	r := runAll(t, Options{}, shuffled(evs, 1, 5*time.Second, 1))

	flaps := eventsOf(r.events, Flap)
	if len(flaps) != 1 || len(r.events) != 1 {
		t.Fatalf("want exactly one flap, got %s", describe(r.events))
	}
	f := flaps[0]
	if f.Unseen || !near(f.Start, at(100.2), time.Second) || !near(f.End, at(102.2), time.Second) ||
		f.Duration < time.Second || f.Duration > 3*time.Second {
		t.Fatalf("flap not within one probe interval of [100.2s, 102.2s): %s", describe(flaps))
	}
	for _, tr := range append(r.final, r.prov...) {
		if tr.To == Down {
			t.Fatalf("a 2-round flap must not declare the line down (k=3): %+v", tr)
		}
	}
	if r.verdict[Duplicate] == 0 {
		t.Fatalf("duplicates were not recognised: %v", r.verdict)
	}
}

// The same flap seen by traps and by one 1 Hz source still counts once,
// and the trap makes it a down state at once.
func TestFlapWithTrapsCountedOnce(t *testing.T) {
	spans := []span{{100.2, 102.2}}
	evs := pingStream("L1", "cpe-1", 0, 300, 1, spans)
	evs = append(evs,
		Evidence{Line: "L1", Source: "pop-1/pe1", Probe: "snmp_event/trap/7", Kind: DownSignal, Time: at(100.2)},
		Evidence{Line: "L1", Source: "pop-1/pe1", Probe: "snmp_event/trap/7", Kind: UpSignal, Time: at(102.2)})
	r := runAll(t, Options{}, inOrder(evs, 300*time.Millisecond))
	if f := eventsOf(r.events, Flap); len(f) != 1 || len(r.events) != 1 || !near(f[0].Start, at(100.2), time.Millisecond) ||
		!near(f[0].End, at(103), time.Millisecond) {
		t.Fatalf("want one flap [100.2s, 103s), got %s", describe(r.events))
	}
}

// 1% random packet loss, three packets per round (the ping probe's
// default), for six hours at 1 Hz: no flap, no outage, no degradation.
func TestRandomLossMakesNoFlap(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 4242))
	var evs []Evidence
	failed := 0
	for s := 0.0; s < 6*3600; s++ {
		recv := 0
		for range 3 {
			if rng.Float64() >= 0.01 {
				recv++
			}
		}
		ev := Evidence{Line: "L1", Source: "cpe-1", Probe: "ping/pop", Time: at(s), Kind: ProbeOK, HasMetrics: true,
			Metrics: Metrics{LossPct: float64(3-recv) / 3 * 100, RTTMs: 3}}
		if recv == 0 {
			ev.Kind, ev.HasMetrics = ProbeFail, false
			failed++
		}
		evs = append(evs, ev)
	}
	r := runAll(t, Options{}, inOrder(evs, 200*time.Millisecond))
	if len(r.events) != 0 {
		t.Fatalf("random loss made events (%d failed rounds): %s", failed, describe(r.events))
	}
	if tr := before(r.final, at(6*3600)); len(tr) != 1 || tr[0].To != Up {
		t.Fatalf("want one final transition to up, got %+v", r.final)
	}
}

// Single isolated failed rounds (a lost round now and then) are noise.
func TestIsolatedFailedRoundsAreNoise(t *testing.T) {
	var spans []span
	for s := 50.0; s < 3000; s += 97 {
		spans = append(spans, span{s, s + 1})
	}
	r := runAll(t, Options{}, inOrder(pingStream("L1", "cpe-1", 0, 3000, 1, spans), time.Second))
	if len(r.events) != 0 {
		t.Fatalf("isolated lost rounds made events: %s", describe(r.events))
	}
}

// A 90-s outage is an outage, not a flap, from first failed to first
// recovered round, with final down and up transitions at those times.
func TestNinetySecondOutage(t *testing.T) {
	r := runAll(t, Options{}, inOrder(pingStream("L1", "cpe-1", 0, 600, 1, []span{{200, 290}}), time.Second))
	if len(r.events) != 1 || r.events[0].Kind != Outage || r.events[0].Duration != 90*time.Second ||
		!r.events[0].Start.Equal(at(200)) {
		t.Fatalf("want one 90 s outage at 200 s, got %s", describe(r.events))
	}
	want := []Transition{{"L1", Unknown, Up, at(0), true}, {"L1", Up, Down, at(200), true}, {"L1", Down, Up, at(290), true}}
	if got := before(r.final, at(600)); !reflect.DeepEqual(got, want) {
		t.Fatalf("final transitions\n got %+v\nwant %+v", got, want)
	}
	// The provisional view saw it at once: down after the third failed
	// round arrived (k=3), stamped at the first.
	if len(r.prov) < 3 || r.prov[1].To != Down || !r.prov[1].Time.Equal(at(200)) {
		t.Fatalf("provisional transitions %+v", r.prov)
	}
}

// mixedStream is several lines with flaps, an outage, traps, silence and
// degradation: the input of the order-independence and snapshot tests.
func mixedStream() []Evidence {
	var evs []Evidence
	evs = append(evs, pingStream("A", "cpe-a", 0, 3600, 1, []span{{300, 302}, {900, 990}, {1500, 1504}})...)
	evs = append(evs, pingStream("A", "pop-1", 0.5, 3600, 1, []span{{300, 302}, {900, 990}, {1500, 1504}})...)
	evs = append(evs, pingStream("B", "cpe-b", 0.3, 1800, 2, []span{{400, 420}})...) // then silent
	var flaps []span
	for s := 600.0; s < 1400; s += 45 {
		flaps = append(flaps, span{s, s + 6})
	}
	evs = append(evs, pingStream("C", "cpe-c", 0.7, 3600, 1, flaps)...)
	evs = append(evs, Evidence{Line: "C", Source: "pop-1/pe", Probe: "snmp_event/trap/3", Kind: DownSignal, Time: at(2000)},
		Evidence{Line: "C", Source: "pop-1/pe", Probe: "snmp_event/trap/3", Kind: UpSignal, Time: at(2003.5)},
		Evidence{Line: "C", Source: "pop-1/pe", Probe: "snmp_event/poll/3", Kind: FlapBetween, From: at(2500), Time: at(2530)})
	// D: lossy for a quarter of an hour.
	for s := 0.0; s < 3600; s += 5 {
		loss := 0.0
		if s >= 1200 && s < 2100 {
			loss = 20
		}
		evs = append(evs, Evidence{Line: "D", Source: "cpe-d", Probe: "ping/pop", Time: at(s), Kind: ProbeOK,
			HasMetrics: true, Metrics: Metrics{LossPct: loss, RTTMs: 5}})
	}
	return evs
}

// Any arrival order within the horizon, with duplicates, gives the same
// final events and transitions as in-order delivery.
func TestShuffledArrivalGivesIdenticalEvents(t *testing.T) {
	evs := mixedStream()
	base := runAll(t, Options{}, inOrder(evs, 0))
	if len(base.events) < 10 {
		t.Fatalf("stream too tame: %s", describe(base.events))
	}
	for _, kind := range []EventKind{Outage, Flap, Degraded, FlappingStart, FlappingEnd} {
		if len(eventsOf(base.events, kind)) == 0 {
			t.Fatalf("stream has no %s event: %s", kind, describe(base.events))
		}
	}
	wantEv, wantTr := sortedEvents(base.events), sortedTransitions(base.final)
	for seed := uint64(1); seed <= 5; seed++ {
		r := runAll(t, Options{}, shuffled(evs, seed, 14*time.Minute, 3))
		if r.verdict[TooLate] != 0 || r.verdict[Duplicate] == 0 {
			t.Fatalf("seed %d: verdicts %v", seed, r.verdict)
		}
		if got := sortedEvents(r.events); !reflect.DeepEqual(got, wantEv) {
			t.Fatalf("seed %d: events differ\n got %s\nwant %s", seed, describe(got), describe(wantEv))
		}
		if got := sortedTransitions(r.final); !reflect.DeepEqual(got, wantTr) {
			t.Fatalf("seed %d: final transitions differ\n got %+v\nwant %+v", seed, got, wantTr)
		}
	}
}

// A CPE agent whose only uplink is the line spools while it is down and
// sends everything after: the provisional view says unknown (not down)
// meanwhile, and the final view places the outage where it happened.
func TestLateSpooledResultsReconstructOutage(t *testing.T) {
	evs := pingStream("L1", "cpe-1", 0, 1800, 1, []span{{1000, 1120}})
	var as []arrival
	for _, ev := range evs {
		s := ev.Time.Sub(t0).Seconds()
		switch {
		case s >= 1000 && s < 1125: // spooled: sent in order once the line is back
			as = append(as, arrival{ev, at(1130 + (s-1000)/100)})
		default:
			as = append(as, arrival{ev, ev.Time.Add(300 * time.Millisecond)})
		}
	}
	sortArrivals(as)
	r := runAll(t, Options{}, as)
	if len(r.events) != 1 || r.events[0].Kind != Outage || !r.events[0].Start.Equal(at(1000)) || !r.events[0].End.Equal(at(1120)) {
		t.Fatalf("want the outage [1000s, 1120s), got %s", describe(r.events))
	}
	var sawUnknown bool
	for _, tr := range r.prov {
		if tr.To == Down {
			t.Fatalf("provisional view said down while it only had silence: %+v", r.prov)
		}
		sawUnknown = sawUnknown || tr.To == Unknown && near(tr.Time, at(1029), time.Second)
	}
	if !sawUnknown {
		t.Fatalf("provisional view never went unknown at 1029 s: %+v", r.prov)
	}
	if tr := before(r.prov, at(1800)); tr[len(tr)-1].To != Up {
		t.Fatalf("provisional view did not come back up after the spool: %+v", r.prov)
	}
}

// When the only source stops, the line is unknown, not down, and no
// outage is invented; a heartbeat gap makes it unknown sooner.
func TestSilenceIsUnknownNotDown(t *testing.T) {
	evs := pingStream("L1", "cpe-1", 0, 500, 1, nil)
	evs = append(evs, pingStream("L1", "cpe-1", 4000, 4100, 1, nil)...)
	r := runAll(t, Options{}, inOrder(evs, 100*time.Millisecond))
	want := []Transition{{"L1", Unknown, Up, at(0), true}, {"L1", Up, Unknown, at(529), true},
		{"L1", Unknown, Up, at(4000), true}, {"L1", Up, Unknown, at(4129), true}}
	if len(r.events) != 0 || !reflect.DeepEqual(r.final, want) {
		t.Fatalf("got events %s\nfinal %+v\nwant %+v", describe(r.events), r.final, want)
	}

	d, _ := New(Options{})
	clk := clock.NewFake(t0)
	var r2 runResult
	feed(t, d, clk, inOrder(pingStream("L1", "cpe-1", 0, 10, 1, nil), 0), &r2)
	o, _ := d.Add(Evidence{Line: "L1", Source: "cpe-1", Kind: Silence, Time: at(12)})
	if len(o.Transitions) != 1 || o.Transitions[0].To != Unknown || o.Transitions[0].Final {
		t.Fatalf("heartbeat silence: %+v", o.Transitions)
	}
}

// Flaps every minute push the penalty over suppress on the third flap
// (1000 + 1000·2^(-1/15) + 1000·2^(-2/15) ≥ 2000) and the line is released
// HalfLife·log2(P/750) after its last flap.
func TestDampeningEntersAndLeavesFlapping(t *testing.T) {
	p := DefaultParams()
	var spans []span
	var ends []float64
	for i := range 5 {
		s := 600 + 60*float64(i)
		spans = append(spans, span{s, s + 5})
		ends = append(ends, s+5)
	}
	r := runAll(t, Options{}, inOrder(pingStream("L1", "cpe-1", 0, 7200, 1, spans), 0))

	// Analytic penalties at each flap's end.
	h := p.HalfLife.Seconds()
	pen := 0.0
	for i, e := range ends {
		if i > 0 {
			pen *= math.Exp2(-(e - ends[i-1]) / h)
		}
		pen += p.Penalty
		if i == 1 && pen >= p.Suppress || i == 2 && pen < p.Suppress {
			t.Fatalf("test arithmetic: penalty %.1f after flap %d", pen, i+1)
		}
	}
	wantStart := at(ends[2])
	wantEnd := at(ends[4] + h*math.Log2(pen/p.Reuse))

	starts, stops := eventsOf(r.events, FlappingStart), eventsOf(r.events, FlappingEnd)
	if len(starts) != 1 || len(stops) != 1 || !starts[0].Start.Equal(wantStart) || !near(stops[0].End, wantEnd, time.Millisecond) {
		t.Fatalf("want flapping from %s to %s, got %s", wantStart.Sub(t0), wantEnd.Sub(t0), describe(r.events))
	}
	flaps := eventsOf(r.events, Flap)
	if len(flaps) != 5 || flaps[2].Suppressed || !flaps[3].Suppressed || !flaps[4].Suppressed {
		t.Fatalf("want 5 flaps, the last two suppressed: %s", describe(flaps))
	}
	// While flapping the line's ups and downs are one condition.
	wantTr := []Transition{{"L1", Unknown, Up, at(0), true},
		{"L1", Up, Down, at(600), true}, {"L1", Down, Up, at(605), true},
		{"L1", Up, Down, at(660), true}, {"L1", Down, Up, at(665), true},
		{"L1", Up, Down, at(720), true}, {"L1", Down, Flapping, wantStart, true},
		{"L1", Flapping, Up, stops[0].End, true}}
	if got := before(r.final, at(7200)); !reflect.DeepEqual(got, wantTr) {
		t.Fatalf("final transitions\n got %+v\nwant %+v", r.final, wantTr)
	}
}

// A lossy quarter of an hour is one degradation, cut at window edges.
func TestDegradation(t *testing.T) {
	r := runAll(t, Options{}, inOrder(mixedStream(), 0))
	var d []Event
	for _, e := range eventsOf(r.events, Degraded) {
		if e.Line == "D" {
			d = append(d, e)
		}
	}
	if len(d) != 1 || !d[0].Start.Equal(at(1200)) || !d[0].End.Equal(at(2100)) || d[0].LossPct != 20 {
		t.Fatalf("want one degradation [1200s, 2100s) at 20%% loss, got %s", describe(d))
	}
}

// Evidence older than the horizon is refused as too late and counted.
func TestTooLate(t *testing.T) {
	d, _ := New(Options{Horizon: time.Minute})
	d.Add(Evidence{Line: "L1", Source: "a", Time: at(0), Kind: ProbeOK})
	d.Advance(at(300))
	if _, v := d.Add(Evidence{Line: "L1", Source: "a", Time: at(100), Kind: ProbeFail}); v != TooLate {
		t.Fatalf("verdict %s, want too_late", v)
	}
	if _, v := d.Add(Evidence{Line: "L1", Source: "a", Time: at(250), Kind: ProbeFail}); v != Accepted {
		t.Fatalf("verdict %s, want accepted", v)
	}
	if s := d.Stats(); s.TooLate != 1 || s.Accepted != 2 || s.Pending != 1 {
		t.Fatalf("stats %+v", s)
	}
	if _, v := d.Add(Evidence{Line: "L1", Time: at(250), Kind: ProbeFail}); v != Invalid {
		t.Fatalf("evidence without a source: %s", v)
	}
}

// A line's buffer stays bounded even when one source floods it.
func TestPendingIsBounded(t *testing.T) {
	d, _ := New(Options{MaxPending: 100})
	for i := range 1000 {
		d.Add(Evidence{Line: "L1", Source: "a", Time: at(float64(i) / 100), Kind: ProbeOK})
	}
	if s := d.Stats(); s.Pending != 100 || s.ForcedSeals != 900 {
		t.Fatalf("stats %+v", s)
	}
}

func TestProfilesAndValidation(t *testing.T) {
	bad := DefaultParams()
	bad.Reuse, bad.FailRounds = 3000, 0
	_, err := New(Options{Profiles: map[string]Params{"gold": bad}})
	if err == nil {
		t.Fatal("bad profile accepted")
	}
	for _, want := range []string{`profile "gold"`, "fail_rounds: 0", "reuse/suppress/max_penalty"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error %q lacks %q", err, want)
		}
	}
	strict := DefaultParams()
	strict.FailRounds, strict.MinFlapRounds = 1, 1
	d, _ := New(Options{Profiles: map[string]Params{"diamond": strict}})
	if err := d.AssignLine("L1", "diamond"); err != nil {
		t.Fatal(err)
	}
	if err := d.AssignLine("L2", "tin"); err == nil {
		t.Fatal("unknown profile accepted")
	}
	d.Add(Evidence{Line: "L1", Source: "a", Time: at(0), Kind: ProbeOK})
	o, _ := d.Add(Evidence{Line: "L1", Source: "a", Time: at(1), Kind: ProbeFail})
	if len(o.Transitions) != 1 || o.Transitions[0].To != Down {
		t.Fatalf("diamond line with k=1 not down after one failed round: %+v", o)
	}
}

// before drops the transitions at or after t (the end of a stream is
// silence, and the line goes unknown).
func before(trs []Transition, t time.Time) []Transition {
	var out []Transition
	for _, tr := range trs {
		if tr.Time.Before(t) {
			out = append(out, tr)
		}
	}
	return out
}
