package linestate

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkDetector50kLines feeds the 50,000-line yardstick: one CPE source
// per line probing every interval, one line in a hundred flapping for 3 s
// every 10 minutes, results slightly late, and Advance once per simulated
// second. Before timing it runs a horizon and a minute of evidence, so the
// reorder buffers are full (steady state). It reports results/s and heap
// bytes per line (whole detector, buffers included). With fast_agent, one
// more agent stamps its results 5 minutes ahead of the clock (as ingest's
// max_future allows), so every line's watermark takes the per-source path.
func BenchmarkDetector50kLines(b *testing.B) {
	for _, interval := range []time.Duration{10 * time.Second, time.Second} {
		b.Run(fmt.Sprintf("interval=%s", interval), func(b *testing.B) { bench50k(b, interval, false) })
	}
	b.Run("interval=10s,fast_agent", func(b *testing.B) { bench50k(b, 10*time.Second, true) })
}

func bench50k(b *testing.B, interval time.Duration, fastAgent bool) {
	const lines = 50000
	names := make([]string, lines)
	for i := range names {
		names[i] = fmt.Sprintf("L%05d", i)
	}
	d, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	perTick := int(int64(lines) * int64(time.Second) / int64(interval)) // results per simulated second
	n := 0                                                              // results fed so far
	feedOne := func() {
		i := n % lines
		round := n / lines
		ts := t0.Add(time.Duration(round)*interval + time.Duration(i)*interval/lines)
		kind := ProbeOK
		if i%100 == 0 && ts.Sub(t0)%(10*time.Minute) < 3*time.Second {
			kind = ProbeFail
		}
		d.Add(Evidence{Line: names[i], Source: "cpe", Probe: "ping/pop", Time: ts, Kind: kind,
			HasMetrics: kind == ProbeOK, Metrics: Metrics{RTTMs: 3, JitterMs: 0.2}})
		n++
		if n%perTick == 0 {
			if fastAgent {
				d.Add(Evidence{Line: "LFAST", Source: "fast", Probe: "ping/pop", Time: ts.Add(5 * time.Minute), Kind: ProbeOK})
			}
			d.Advance(ts.Add(500 * time.Millisecond))
		}
	}
	warm := int((16 * time.Minute) / time.Second * time.Duration(perTick))
	for range warm {
		feedOne()
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap, pending := float64(ms.HeapAlloc)/lines, float64(d.Stats().Pending)/lines

	b.ResetTimer() // also drops metrics reported so far: report after the loop
	start := time.Now()
	for range b.N {
		feedOne()
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "results/s")
	b.ReportMetric(heap, "bytes/line")
	b.ReportMetric(pending, "pending/line")
}
