package linestate

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// at is t0 plus s seconds.
func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

type span struct{ from, to float64 } // the link is down in [from, to), seconds after t0

func down(spans []span, s float64) bool {
	for _, sp := range spans {
		if s >= sp.from && s < sp.to {
			return true
		}
	}
	return false
}

// pingStream is one source probing line every interval from start to end
// (seconds), failing while the link is down.
func pingStream(line, agent string, start, end, interval float64, spans []span) []Evidence {
	var evs []Evidence
	for s := start; s < end; s += interval {
		ev := Evidence{Line: line, Source: agent, Probe: "ping/pop", Time: at(s), Kind: ProbeOK,
			HasMetrics: true, Metrics: Metrics{RTTMs: 2, JitterMs: 0.1}}
		if down(spans, s) {
			ev.Kind, ev.HasMetrics = ProbeFail, false
		}
		evs = append(evs, ev)
	}
	return evs
}

// arrival is evidence and when the controller receives it.
type arrival struct {
	ev Evidence
	at time.Time
}

// inOrder delivers every piece of evidence delay after it happened.
func inOrder(evs []Evidence, delay time.Duration) []arrival {
	as := make([]arrival, len(evs))
	for i, ev := range evs {
		as[i] = arrival{ev, ev.Time.Add(delay)}
	}
	sortArrivals(as)
	return as
}

func sortArrivals(as []arrival) {
	slices.SortStableFunc(as, func(a, b arrival) int { return a.at.Compare(b.at) })
}

// shuffled delivers each piece of evidence after a random delay below
// maxDelay (so arrival order is a seeded permutation within the horizon),
// and a second copy of every dupEvery-th one.
func shuffled(evs []Evidence, seed uint64, maxDelay time.Duration, dupEvery int) []arrival {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var as []arrival
	for i, ev := range evs {
		as = append(as, arrival{ev, ev.Time.Add(time.Duration(rng.Int64N(int64(maxDelay))))})
		if dupEvery > 0 && i%dupEvery == 0 {
			as = append(as, arrival{ev, ev.Time.Add(time.Duration(rng.Int64N(int64(maxDelay))))})
		}
	}
	sortArrivals(as)
	return as
}

// run feeds arrivals to d on a fake clock that follows the arrivals, calls
// Advance once a second of clock time, and finally advances far enough to
// seal everything.
type runResult struct {
	events  []Event
	final   []Transition
	prov    []Transition
	verdict map[Verdict]int
}

func (r *runResult) take(o Output) {
	r.events = append(r.events, o.Events...)
	for _, tr := range o.Transitions {
		if tr.Final {
			r.final = append(r.final, tr)
		} else {
			r.prov = append(r.prov, tr)
		}
	}
}

func feed(t *testing.T, d *Detector, clk *clock.Fake, as []arrival, r *runResult) {
	t.Helper()
	if r.verdict == nil {
		r.verdict = map[Verdict]int{}
	}
	lastTick := clk.Now()
	for _, a := range as {
		if a.at.After(clk.Now()) {
			clk.Advance(a.at.Sub(clk.Now()))
		}
		if clk.Now().Sub(lastTick) >= time.Second {
			r.take(d.Advance(clk.Now()))
			lastTick = clk.Now()
		}
		o, v := d.Add(a.ev)
		r.verdict[v]++
		r.take(o)
	}
}

func finish(d *Detector, clk *clock.Fake, r *runResult, until time.Duration) {
	for step := time.Duration(0); step < until; step += 10 * time.Second {
		clk.Advance(10 * time.Second)
		r.take(d.Advance(clk.Now()))
	}
}

func runAll(t *testing.T, o Options, as []arrival) runResult {
	t.Helper()
	d, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0.Add(-time.Minute))
	var r runResult
	feed(t, d, clk, as, &r)
	finish(d, clk, &r, 2*time.Hour)
	return r
}

func sortedEvents(evs []Event) []Event {
	evs = slices.Clone(evs)
	slices.SortFunc(evs, func(a, b Event) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), a.Start.Compare(b.Start), cmp.Compare(a.Kind, b.Kind))
	})
	return evs
}

func sortedTransitions(trs []Transition) []Transition {
	trs = slices.Clone(trs)
	slices.SortStableFunc(trs, func(a, b Transition) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), a.Time.Compare(b.Time))
	})
	return trs
}

func eventsOf(evs []Event, kind EventKind) []Event {
	var out []Event
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func describe(evs []Event) string {
	s := ""
	for _, e := range evs {
		s += fmt.Sprintf("\n  %s %s %s..%s (%s) suppressed=%v unseen=%v loss=%.2f penalty=%.0f",
			e.Line, e.Kind, e.Start.Sub(t0), e.End.Sub(t0), e.Duration, e.Suppressed, e.Unseen, e.LossPct, e.Penalty)
	}
	return s
}

func near(a, b time.Time, tol time.Duration) bool {
	d := a.Sub(b)
	return d <= tol && d >= -tol
}
