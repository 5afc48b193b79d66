package evidence

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/probes/result"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// recorder is the next sink: it keeps what reached it.
type recorder struct{ lines []string }

func (r *recorder) Handle(_ context.Context, agent string, rs []result.Result) error {
	for _, x := range rs {
		r.lines = append(r.lines, agent+":"+x.Tags["line"])
	}
	return nil
}

const inv = `customers:
  - {id: C1, name: One, tier: gold}
  - {id: C2, name: Two, tier: diamond}
sites:
  - {id: S1, customer: C1, kind: cpe, name: HQ, agent: cpe-c1}
  - {id: S2, customer: C2, kind: cpe, name: Vault, agent: cpe-c2}
lines:
  - {circuit_id: L-C1, customer: C1, a_end_site: S1}
  - {circuit_id: L-C2-DIAMOND, customer: C2, a_end_site: S2}
`

func importYAML(t *testing.T, s *inventory.SQLStore, text string) {
	t.Helper()
	set, err := inventory.ParseYAML("inv.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(context.Background(), set, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

func ping(line string) result.Result {
	r := result.Result{Time: time.Unix(1.7e9, 0), Measurement: "ping", Tags: map[string]string{"target": "198.18.0.1"},
		Fields: map[string]float64{"sent": 3, "recv": 0, "loss_pct": 100}}
	if line != "" {
		r.Tags["line"] = line
	}
	return r
}

func counter(c prometheus.Counter) float64 {
	var d dto.Metric
	_ = c.Write(&d)
	return d.GetCounter().GetValue()
}

// An agent's results reach line health only for the lines it watches:
// another customer's line is not_assigned, an invented one unknown_line;
// results without a line pass.
func TestGateEntitlement(t *testing.T) {
	ctx := context.Background()
	store, db, err := inventory.Open(ctx, storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	importYAML(t, store, inv)
	now := time.Unix(1.7e9, 0)
	rec := &recorder{}
	g, err := New(ctx, rec, Options{Source: store, Now: func() time.Time { return now }}, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Handle(ctx, "cpe-c1", []result.Result{ping("L-C1"), ping(""), ping("L-C2-DIAMOND"), ping("L-INVENTED")}); err != nil {
		t.Fatal(err)
	}
	if err := g.Handle(ctx, "cpe-c2", []result.Result{ping("L-C2-DIAMOND")}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"cpe-c1:L-C1", "cpe-c1:", "cpe-c2:L-C2-DIAMOND"}; !slices.Equal(rec.lines, want) {
		t.Errorf("line health got %v, want %v", rec.lines, want)
	}
	for reason, want := range map[string]float64{ReasonNotAssigned: 1, ReasonUnknownLine: 1} {
		if got := counter(g.refused.WithLabelValues(reason)); got != want {
			t.Errorf("refused{%s} = %v, want %v", reason, got, want)
		}
	}
	if got := counter(g.passed); got != 2 {
		t.Errorf("accepted = %v, want 2", got)
	}

	// 15,000 invented lines: none passes, and they cost one re-read per
	// MissRefresh, not one per line.
	rec.lines = nil
	var flood []result.Result
	for i := range 15000 {
		flood = append(flood, ping(fmt.Sprintf("L-FAKE-%05d", i)))
	}
	if err := g.Handle(ctx, "cpe-c1", flood); err != nil {
		t.Fatal(err)
	}
	if len(rec.lines) != 0 || counter(g.refused.WithLabelValues(ReasonUnknownLine)) != 15001 {
		t.Errorf("flood: line health got %d results, unknown_line %v", len(rec.lines), counter(g.refused.WithLabelValues(ReasonUnknownLine)))
	}

	// A line imported while running is trusted after MissRefresh, without
	// waiting for the minute's refresh.
	importYAML(t, store, "lines:\n  - {circuit_id: L-C1-NEW, customer: C1, a_end_site: S1}\n")
	now = now.Add(2 * time.Second)
	_ = g.Handle(ctx, "cpe-c1", []result.Result{ping("L-C1-NEW")})
	if len(rec.lines) != 0 {
		t.Errorf("re-read before MissRefresh: %v", rec.lines)
	}
	now = now.Add(5 * time.Second)
	_ = g.Handle(ctx, "cpe-c1", []result.Result{ping("L-C1-NEW")})
	if !slices.Equal(rec.lines, []string{"cpe-c1:L-C1-NEW"}) {
		t.Errorf("after MissRefresh: line health got %v", rec.lines)
	}
}
