package linehealth

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// BenchmarkInventoryRefreshStall measures what the Monitor's once-a-minute
// inventory refresh costs the ingest at 50,000 lines: refreshInventory's
// duration and the longest Handle call while it runs. A figure, never a
// pass/fail test.
func BenchmarkInventoryRefreshStall(b *testing.B) {
	const lines, perPort = 50_000, 50
	var y strings.Builder
	y.WriteString("customers:\n  - {id: C1, name: One, tier: diamond}\nelements:\n  - {id: pop, kind: pop, name: PoP, agent: agent-1}\n  - {id: pe, parent: pop, kind: router, name: PE}\n")
	for p := range lines / perPort {
		fmt.Fprintf(&y, "  - {id: p%d, parent: pe, kind: port, name: P%d}\n", p, p)
	}
	y.WriteString("lines:\n")
	for i := range lines {
		fmt.Fprintf(&y, "  - {circuit_id: SIM-%05d, customer: C1, upstream_element: p%d}\n", i, i/perPort)
	}
	f := newFixtureWith(b, y.String())
	m := f.monitor(b)
	ctx := context.Background()
	b.ResetTimer()
	var worst, total time.Duration
	for range b.N {
		var stop atomic.Bool
		done := make(chan time.Duration)
		go func() {
			var longest time.Duration
			for i := 0; !stop.Load(); i++ {
				start := time.Now()
				if err := m.Handle(ctx, "agent-1", []result.Result{ping(fmt.Sprintf("SIM-%05d", i%lines), f.now, true)}); err != nil {
					b.Error(err)
				}
				longest = max(longest, time.Since(start))
			}
			done <- longest
		}()
		start := time.Now()
		if err := m.refreshInventory(ctx); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		stop.Store(true)
		worst = max(worst, <-done)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "refresh-ms")
	b.ReportMetric(float64(worst.Milliseconds()), "max-handle-ms")
}
