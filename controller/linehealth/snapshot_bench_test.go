package linehealth

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// BenchmarkSnapshotStall measures what a snapshot costs the ingest at
// scale: the detector tracks SNAPSHOT_LINES lines (50,000 by default, as
// in the 50k sim) with `rounds` seconds of evidence each buffered behind
// a 15-minute horizon, and while snapshot() runs a goroutine keeps calling
// Handle. It reports the snapshot's duration and the longest single Handle
// call during it (what the ingest stood still for). A figure, never a
// pass/fail test.
func BenchmarkSnapshotStall(b *testing.B) {
	const lines, rounds = 50_000, 60
	f := newFixture(b)
	f.opts.Detector.Horizon = 15 * time.Minute
	m := f.monitor(b)
	ctx := context.Background()
	names := make([]string, lines)
	for i := range names {
		names[i] = fmt.Sprintf("SIM-%05d", i)
	}
	rs := make([]result.Result, lines)
	for r := range rounds {
		f.now = f.t0.Add(time.Duration(r) * time.Second)
		for i, n := range names {
			rs[i] = ping(n, f.now, true)
		}
		if err := m.Handle(ctx, "sim", rs); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("detector: %d lines, %d pending", m.det.Stats().Lines, m.det.Stats().Pending)
	b.ResetTimer()
	var worst, total time.Duration
	for range b.N {
		var stop atomic.Bool
		done := make(chan time.Duration)
		go func() { // the ingest: one line's result at a time
			var longest time.Duration
			for i := 0; !stop.Load(); i++ {
				start := time.Now()
				if err := m.Handle(ctx, "sim", []result.Result{ping(names[i%lines], f.now, true)}); err != nil {
					b.Error(err)
				}
				longest = max(longest, time.Since(start))
			}
			done <- longest
		}()
		start := time.Now()
		if err := m.snapshot(ctx); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		stop.Store(true)
		worst = max(worst, <-done)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "snapshot-ms")
	b.ReportMetric(float64(worst.Milliseconds()), "max-handle-ms")
}
