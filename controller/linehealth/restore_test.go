package linehealth

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/probes/result"
)

// Issue 10, attack 4: 15,000 invented line tags tracked before line
// evidence was gated were saved in the detector's snapshot (and some in the
// journal after it). A restart brings back only the inventory's lines, and
// counts what it dropped.
func TestRestoreDropsInventedLines(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	ctx := context.Background()
	const invented = 15_000
	rs := []result.Result{ping("L1", f.t0, true), ping("L2", f.t0, true)}
	for i := range invented {
		rs = append(rs, ping(fmt.Sprintf("FAKE-%05d", i), f.t0, true))
	}
	// Handle directly: the Monitor as it was fed before the evidence gate.
	if err := m.Handle(ctx, "stolen", rs); err != nil {
		t.Fatal(err)
	}
	if err := m.snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	// More after the snapshot: in the journal only.
	f.now = f.t0.Add(time.Second)
	if err := m.Handle(ctx, "stolen", []result.Result{ping("FAKE-late", f.now, true), ping("L1", f.now, true)}); err != nil {
		t.Fatal(err)
	}
	if n := m.det.Stats().Lines; n != invented+3 {
		t.Fatalf("before the restart the detector tracks %d lines, want %d", n, invented+3)
	}

	reg := prometheus.NewRegistry()
	m2, err := New(ctx, f.opts, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	if n := m2.det.Stats().Lines; n != 2 {
		t.Errorf("restored detector tracks %d lines, want the inventory's 2", n)
	}
	views, more, err := f.reads(t).Lines(ctx, AllCustomers, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 2 || more || views[0].ID != "L1" || views[1].ID != "L2" {
		t.Errorf("after the restart /api/v1/lines lists %d lines (more %v), want L1 and L2", len(views), more)
	}
	if _, err := f.reads(t).Line(ctx, AllCustomers, "FAKE-00042"); err == nil {
		t.Error("an invented line survived the restart")
	}
	if got := counterValue(t, reg, "vantage_controller_health_restored_lines_dropped_total"); got != invented+1 {
		t.Errorf("dropped lines counted %v, want %d", got, invented+1)
	}
}

func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
