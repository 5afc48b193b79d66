package linehealth

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// BenchmarkPartitionRefresh measures what refreshing the inventory of
// every partition of a cluster costs one controller holding all of them
// (one op = all partitions refreshed once), with 50,000 lines under 64
// PoPs over 16 partitions:
//
//   - each-reads-all: every partition's Monitor reads the whole inventory
//     from the database and keeps its share (before: every minute);
//   - shared-read: the node reads the inventory once (LoadInventory) and
//     every partition refreshes from that read (after, when the inventory
//     version moved);
//   - unchanged: the version did not move: one version read, and each
//     Monitor's periodic refresh finds the read it already applied
//     (after, every minute in the steady state).
//
// It reports CPU per op (user+system of the whole process: the SQLite
// queries run in it too) besides ns/op and allocs/op. A figure, never a
// pass/fail test.
func BenchmarkPartitionRefresh(b *testing.B) {
	const parts = 16
	f := newFixtureWith(b, benchInventory())
	ctx := context.Background()
	whole, err := LoadInventory(ctx, f.inv)
	if err != nil {
		b.Fatal(err)
	}
	partOf := func(line string) int {
		pop, _ := whole.PoP(line)
		h := fnv.New32a()
		_, _ = h.Write([]byte(pop))
		return int(h.Sum32() % parts)
	}
	var shared *Inventory
	monitors := func(b *testing.B, fromShared bool) []*Monitor {
		var ms []*Monitor
		for p := range parts {
			o := f.opts
			o.Partition = &Partition{Name: fmt.Sprintf("p%d", p), Owner: "bench", Owns: func(l string) bool { return partOf(l) == p }}
			if fromShared {
				o.Partition.Inventory = func() *Inventory { return shared }
			}
			m, err := New(ctx, o, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			ms = append(ms, m)
		}
		return ms
	}
	b.Run("each-reads-all", func(b *testing.B) {
		ms := monitors(b, false)
		runCPU(b, func() {
			for _, m := range ms {
				if err := m.refreshInventory(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	shared = whole
	b.Run("shared-read", func(b *testing.B) {
		ms := monitors(b, true)
		runCPU(b, func() {
			var err error
			if shared, err = LoadInventory(ctx, f.inv); err != nil {
				b.Fatal(err)
			}
			for _, m := range ms {
				if err := m.refreshInventory(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("unchanged", func(b *testing.B) {
		ms := monitors(b, true)
		st := f.inv
		runCPU(b, func() {
			if _, err := st.Version(ctx); err != nil {
				b.Fatal(err)
			}
			for _, m := range ms {
				if err := m.refreshInventory(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// benchInventory is 50,000 lines under 64 PoPs (50 per port), of 1,000
// customers.
func benchInventory() string {
	const lines, perPort, pops = 50_000, 50, 64
	var y strings.Builder
	y.WriteString("customers:\n")
	for c := range 1000 {
		fmt.Fprintf(&y, "  - {id: C%d, name: C%d, tier: gold}\n", c, c)
	}
	y.WriteString("elements:\n")
	for p := range pops {
		fmt.Fprintf(&y, "  - {id: pop%d, kind: pop, name: PoP%d, agent: agent-%d}\n", p, p, p)
	}
	for port := range lines / perPort {
		fmt.Fprintf(&y, "  - {id: port%d, parent: pop%d, kind: port, name: P%d}\n", port, port%pops, port)
	}
	y.WriteString("lines:\n")
	for i := range lines {
		fmt.Fprintf(&y, "  - {circuit_id: SIM-%05d, customer: C%d, upstream_element: port%d}\n", i, i%1000, i/perPort)
	}
	return y.String()
}

// runCPU runs op b.N times and reports its CPU per op besides allocs.
func runCPU(b *testing.B, op func()) {
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for range b.N {
		op()
	}
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// BenchmarkOwnInventoryRefresh measures a single controller's periodic
// inventory refresh at 50,000 lines (one op = one refresh):
//
//   - reads-all: the whole inventory read and applied (before: every
//     minute; now at the start, when the version moved, and every resync);
//   - version-unchanged: the version read finds nothing changed (now,
//     every minute in the steady state).
//
// A figure, never a pass/fail test.
func BenchmarkOwnInventoryRefresh(b *testing.B) {
	f := newFixtureWith(b, benchInventory())
	ctx := context.Background()
	m := f.monitor(b)
	b.Run("reads-all", func(b *testing.B) {
		runCPU(b, func() {
			if err := m.refreshInventory(ctx); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("version-unchanged", func(b *testing.B) {
		before := testutil.ToFloat64(m.m.inventoryReads)
		runCPU(b, func() {
			if err := m.refreshIfChanged(ctx); err != nil {
				b.Fatal(err)
			}
		})
		if got := testutil.ToFloat64(m.m.inventoryReads) - before; got != 0 {
			b.Fatalf("%v whole-inventory reads with the version unchanged", got)
		}
	})
}
