package linestate

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

// penaltyAt is route-flap dampening worked out by hand: every flap ending
// at ends[i] adds p.Penalty, the sum halves every HalfLife, and it is read
// at t. Release from flapping does not change the penalty, only the state.
func penaltyAt(p Params, ends []float64, t float64) float64 {
	pen, last := 0.0, 0.0
	for _, e := range ends {
		pen = pen*math.Exp2(-(e-last)/p.HalfLife.Seconds()) + p.Penalty
		last = e
	}
	return pen * math.Exp2(-(t-last)/p.HalfLife.Seconds())
}

// A line no agent hears is unknown silence_after after its last evidence,
// whatever its dampening or degradation state, and its dampening penalty
// goes on decaying while nobody hears it.
func TestSilenceEndsAnyState(t *testing.T) {
	p := DefaultParams()
	quiet := p.SilenceAfter.Seconds()
	flaps := []span{{600, 605}, {660, 665}, {720, 725}, {780, 785}}
	ends := []float64{605, 665, 725, 785}
	lossy := func(from, to float64) []Evidence {
		var evs []Evidence
		for s := from; s < to; s++ {
			evs = append(evs, Evidence{Line: "L1", Source: "cpe-1", Probe: "ping/pop", Time: at(s), Kind: ProbeOK,
				HasMetrics: true, Metrics: Metrics{LossPct: 20, RTTMs: 3}})
		}
		return evs
	}
	cases := []struct {
		name     string
		before   []Evidence // until the agent stops
		back     []Evidence // when it is heard again
		lastSeen float64    // its last evidence before the silence
		from     State      // the line's state when it went silent
		backTo   State      // its state once heard again
		ends     []float64  // flap ends, for the penalty
		events   map[EventKind]int
	}{{
		name:     "flapping, back while still flapping",
		before:   pingStream("L1", "cpe-1", 0, 800, 1, flaps),
		back:     pingStream("L1", "cpe-1", 1500, 1700, 1, []span{{1550, 1553}}),
		lastSeen: 799, from: Flapping, backTo: Flapping,
		ends:   append(ends, 1553),
		events: map[EventKind]int{Flap: 5, FlappingStart: 1, Degraded: 1}, // the flaps' failed rounds average 6 % loss
	}, {
		name:     "flapping, back after its release",
		before:   pingStream("L1", "cpe-1", 0, 800, 1, flaps),
		back:     pingStream("L1", "cpe-1", 5000, 5100, 1, nil),
		lastSeen: 799, from: Flapping, backTo: Up,
		ends:   ends,
		events: map[EventKind]int{Flap: 4, FlappingStart: 1, FlappingEnd: 1, Degraded: 1},
	}, {
		name:     "degraded",
		before:   lossy(0, 800),
		back:     lossy(3000, 3100),
		lastSeen: 799, from: Up, backTo: Up,
		events: map[EventKind]int{Degraded: 1},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			clk := clock.NewFake(t0.Add(-time.Minute))
			var r runResult
			feed(t, d, clk, inOrder(c.before, 100*time.Millisecond), &r)

			// The provisional view: unknown silence_after after the last
			// evidence, not when dampening would release the line.
			silentAt := at(c.lastSeen + quiet)
			clk.Advance(silentAt.Add(5 * time.Second).Sub(clk.Now()))
			r.take(d.Advance(clk.Now()))
			st, _ := d.State("L1")
			if st.State != Unknown || !st.Since.Equal(silentAt) {
				t.Fatalf("%.0f s after the last evidence the line is %s since %s, want unknown since %s",
					clk.Now().Sub(at(c.lastSeen)).Seconds(), st.State, st.Since.Sub(t0), silentAt.Sub(t0))
			}

			feed(t, d, clk, inOrder(c.back, 100*time.Millisecond), &r)
			lastBack := c.back[len(c.back)-1].Time
			clk.Advance(lastBack.Add(d.Horizon()).Sub(clk.Now()))
			r.take(d.Advance(clk.Now()))

			// The final view agrees: from the last evidence to the return,
			// one change to unknown at silentAt and one back at the return.
			backAt := c.back[0].Time
			var got []Transition
			for _, tr := range r.final {
				if tr.Time.After(at(c.lastSeen)) && !tr.Time.After(backAt) {
					got = append(got, tr)
				}
			}
			want := []Transition{{"L1", c.from, Unknown, silentAt, true}, {"L1", Unknown, c.backTo, backAt, true}}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("final transitions after the last evidence\n got %+v\nwant %+v", got, want)
			}
			kinds := map[EventKind]int{}
			for _, e := range r.events {
				kinds[e.Kind]++
			}
			if !reflect.DeepEqual(kinds, c.events) {
				t.Fatalf("events %v, want %v:%s", kinds, c.events, describe(r.events))
			}

			// The penalty, read after the return, has decayed over the
			// whole silence.
			st, _ = d.State("L1")
			if st.Sealed.Before(lastBack) {
				t.Fatalf("sealed only to %s", st.Sealed.Sub(t0))
			}
			wantPen := 0.0
			if len(c.ends) > 0 {
				wantPen = penaltyAt(p, c.ends, st.Sealed.Sub(t0).Seconds())
			}
			if math.Abs(st.Penalty-wantPen) > 1e-6*max(1, wantPen) {
				t.Fatalf("penalty at %s is %.3f, want %.3f (decayed since the last flap)", st.Sealed.Sub(t0), st.Penalty, wantPen)
			}
		})
	}
}
