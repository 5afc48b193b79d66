package linestate

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkDetectorPerResult is the detector's cost of one result (Add,
// with Advance once per simulated second as the controller ticks), in
// steady state on 1,000 lines probed at 1 Hz: time and allocations per
// result, for `make benchstat` to compare across changes. Shapes:
// steady (every round answered), flapping (one line in ten drops for 3 s
// every minute, confirmed by 200-ms confirmation rounds as the derived
// probe does) and late (results arrive 2 s out of event-time order, so the
// reorder buffer works). BenchmarkDetector50kLines is the capacity figure;
// this one is small enough to run on every change.
func BenchmarkDetectorPerResult(b *testing.B) {
	for _, shape := range []string{"steady", "flapping", "late"} {
		b.Run(shape, func(b *testing.B) { benchPerResult(b, shape) })
	}
}

func benchPerResult(b *testing.B, shape string) {
	const lines = 1000
	names := make([]string, lines)
	for i := range names {
		names[i] = fmt.Sprintf("L%04d", i)
	}
	d, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	// feed yields the n-th result of the shape's stream, in arrival order.
	n := 0
	var queue []Evidence // results held back 2 s (late)
	next := func() Evidence {
		i, round := n%lines, n/lines
		n++
		ts := t0.Add(time.Duration(round)*time.Second + time.Duration(i)*time.Second/lines)
		ev := Evidence{Line: names[i], Source: "cpe", Probe: "ping/pop", Time: ts, Kind: ProbeOK,
			HasMetrics: true, Metrics: Metrics{RTTMs: 3, JitterMs: 0.2}}
		if shape == "flapping" && i%10 == 0 && ts.Sub(t0)%time.Minute < 3*time.Second {
			ev.Kind, ev.HasMetrics = ProbeFail, false
		}
		return ev
	}
	add := func(ev Evidence) {
		d.Add(ev)
		if ev.Kind == ProbeFail { // the agent's two confirmation rounds, 200 ms apart
			for c := 1; c <= 2; c++ {
				d.Add(Evidence{Line: ev.Line, Source: ev.Source, Probe: ev.Probe, Kind: ProbeFail, Confirm: true,
					Time: ev.Time.Add(time.Duration(c) * 200 * time.Millisecond)})
			}
		}
	}
	feedOne := func() {
		ev := next()
		if shape == "late" {
			// Hold two seconds of results and release them newest first
			// within each second: out of order, within the horizon.
			queue = append(queue, ev)
			if len(queue) == 2*lines {
				for j := lines - 1; j >= 0; j-- {
					add(queue[j])
				}
				queue = append(queue[:0], queue[lines:]...)
			}
		} else {
			add(ev)
		}
		if n%lines == 0 {
			d.Advance(ev.Time.Add(500 * time.Millisecond))
		}
	}
	for range 16 * 60 * lines { // a horizon and a minute: buffers full
		feedOne()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		feedOne()
	}
}
