package linehealth

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"syscall"
	"testing"
	"time"
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
	const lines, perPort, pops, parts = 50_000, 50, 64, 16
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
	f := newFixtureWith(b, y.String())
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
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	run := func(b *testing.B, op func()) {
		b.ReportAllocs()
		b.ResetTimer()
		start := cpu()
		for range b.N {
			op()
		}
		b.ReportMetric(float64((cpu()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
	b.Run("each-reads-all", func(b *testing.B) {
		ms := monitors(b, false)
		run(b, func() {
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
		run(b, func() {
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
		run(b, func() {
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
