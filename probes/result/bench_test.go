package result

import (
	"testing"
	"time"
)

// BenchmarkValidate is the per-batch validation the ingest runs on every
// message: 50 ping results, as bench/ingest and BenchmarkDecode send.
func BenchmarkValidate(b *testing.B) {
	rs := make([]Result, 50)
	for i := range rs {
		rs[i] = Result{Time: now.Add(-time.Duration(i) * time.Millisecond), Measurement: "ping", Probe: "pop",
			Tags:   map[string]string{"target": "198.18.0.1", "line": "L-00001-1", "customer": "C-0001"},
			Fields: map[string]float64{"rtt_min_ms": 0.9, "rtt_avg_ms": 1.3, "rtt_max_ms": 2.1, "jitter_ms": 0.3, "sent": 5, "recv": 5, "loss_pct": 0}}
	}
	batch := &Batch{Agent: "cpe-00001", Results: rs}
	b.ReportAllocs()
	for b.Loop() {
		if err := batch.Validate(Window{Now: now, MaxFuture: time.Minute}); err != nil {
			b.Fatal(err)
		}
	}
}
