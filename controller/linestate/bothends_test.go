package linestate

import (
	"fmt"
	"testing"
	"time"
)

// bothEndsCut is one 8-s cut of a line watched from both ends: the CPE
// agent at the A-end and a watcher agent at the PoP, each at 1 Hz with
// confirmation rounds as agent/schedule emits them (200 ms, k = 3, 60-s
// watch), slots at different phases. The watcher's results arrive as they
// happen; the CPE agent's only uplink is the line, so what it measured
// during the cut arrives as one spool after the line is back (one arrival
// per result, as JetStream delivers them), and everything else promptly.
func bothEndsCut(cutFrom, cutTo float64, spoolAt float64) []arrival {
	spans := []span{{cutFrom, cutTo}}
	cpe := agentSim{interval: time.Second, timeout: 200 * time.Millisecond, confirm: confirmed(3), spans: spans, source: "cpe-1"}
	pop := agentSim{interval: time.Second, timeout: 200 * time.Millisecond, confirm: confirmed(3), spans: spans, source: "pop-w", phase: 0.37}
	var as []arrival
	for _, ev := range pop.evidence("L1", 0, 300) {
		as = append(as, arrival{ev, ev.Time.Add(250 * time.Millisecond)})
	}
	for _, ev := range cpe.evidence("L1", 0, 300) {
		arrive := ev.Time.Add(250 * time.Millisecond)
		if s := ev.Time.Sub(t0).Seconds(); s >= cutFrom && s < spoolAt {
			arrive = at(spoolAt).Add(time.Duration(s*1000) * time.Microsecond) // the spool, oldest first
		}
		as = append(as, arrival{ev, arrive})
	}
	sortArrivals(as)
	return as
}

// TestBothEndsOneCutCountedOnce: one 8-s cut seen by both ends is one
// flap, provisionally and finally, and never puts the line into flapping,
// whether the CPE agent's results arrive as they happen or spooled after
// the cut, in order or shuffled within the horizon.
func TestBothEndsOneCutCountedOnce(t *testing.T) {
	orders := map[string][]arrival{
		"cpe spooled":         bothEndsCut(100.5, 108.5, 109.6),
		"cpe spooled, phase2": bothEndsCut(100.9, 108.9, 110.2),
		"both prompt":         bothEndsCut(100.5, 108.5, 100.5),
	}
	var evs []Evidence
	for _, a := range orders["both prompt"] {
		evs = append(evs, a.ev)
	}
	for seed := uint64(1); seed <= 3; seed++ {
		orders[fmt.Sprintf("shuffled %d", seed)] = shuffled(evs, seed, 20*time.Second, 0)
	}
	for name, as := range orders {
		t.Run(name, func(t *testing.T) {
			d, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			r := &liveRun{t: t, d: d}
			maxLive := 0
			for _, a := range as {
				r.out = append(r.out, d.Advance(a.at))
				o, v := d.Add(a.ev)
				if v != Accepted {
					t.Fatalf("%+v: %s", a.ev, v)
				}
				r.out = append(r.out, o)
				if s, ok := r.lastLive("L1"); ok {
					maxLive = max(maxLive, len(s.Events))
				}
			}
			var prov []Transition
			for _, o := range r.out {
				for _, tr := range o.Transitions {
					if !tr.Final {
						prov = append(prov, tr)
					}
				}
			}
			r.advance(at(300).Add(20 * time.Minute))
			final := append(r.final(Flap), r.final(Outage)...)
			if len(final) != 1 || len(r.final(FlappingStart)) != 0 {
				t.Fatalf("final: want one flap, got%s%s", describe(final), describe(r.final(FlappingStart)))
			}
			if maxLive != 1 {
				t.Errorf("live set held up to %d events for one cut", maxLive)
			}
			downs := 0
			for _, tr := range prov {
				if tr.To == Flapping {
					t.Errorf("provisional transition to flapping at %s", tr.Time.Sub(t0))
				}
				if tr.To == Down {
					downs++
				}
			}
			if downs != 1 {
				t.Errorf("provisional: %d transitions to down, want 1: %+v", downs, prov)
			}
		})
	}
}
