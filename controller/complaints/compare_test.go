package complaints

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/compare"
)

// A complaint from a cell where agents measured our network behind a
// competitor in the window has that comparison attached as evidence
// (which test, by how much, the interval, the samples); the verdict stays
// about our thresholds. A cell where the networks are level, and samples
// outside the window, attach nothing; late samples are picked up by the
// re-evaluation.
func TestComparisonAsEvidence(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	clk := &clock{t: t0.Add(time.Hour)}
	cmp, err := compare.New(compare.Options{DB: db, Ours: "ours", MinSamples: 10, Resamples: 400, Confidence: 0.95, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{DB: db, Now: clk.now, Compare: cmp}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	behind, level := Geohash(31.50, 121.70, 7), Geohash(31.60, 121.80, 7)
	sample := func(cell, net string, at time.Time, v float64) {
		exec(t, db, `INSERT INTO cell_samples (cell, test, network, site, agent, target, t_ms, value)
			VALUES (?, 'ping_rtt_ms', ?, 'h', 'a', 'x', ?, ?)`, cell, net, ms(at), v)
	}
	for i := range 20 {
		at := t0.Add(-time.Duration(i+1) * time.Minute)
		sample(behind, "ours", at, 80+float64(i%5))
		sample(behind, "rival", at, 30+float64(i%5))
		sample(level, "ours", at, 40+float64(i%5))
		sample(level, "rival", at, 40+float64((i+2)%5))
	}
	put(t, s, Intake{ID: "B", ReceivedAt: t0, Lat: fptr(31.50), Lon: fptr(121.70), Category: Slow},
		Intake{ID: "L", ReceivedAt: t0, Lat: fptr(31.60), Lon: fptr(121.80), Category: Slow})
	b := get(t, s, "B")
	var got []Evidence
	for _, e := range b.Evidence {
		if e.Kind == "behind_competitor" {
			got = append(got, e)
		}
	}
	if len(got) != 1 || got[0].Cell != behind || !strings.HasPrefix(got[0].Note, "ours behind rival on ping_rtt_ms: median +50 ms") ||
		!strings.Contains(got[0].Note, "ours n=20, rival n=20") {
		t.Fatalf("B's comparison evidence %+v (all: %+v)", got, b.Evidence)
	}
	if b.Verdict != NotObserved {
		t.Errorf("B's verdict %s, want not_observed (behind a competitor is not below our thresholds)", b.Verdict)
	}
	for _, e := range get(t, s, "L").Evidence {
		if e.Kind == "behind_competitor" {
			t.Errorf("L (networks level) has %+v", e)
		}
	}

	// Our network falls behind in L's cell after intake: the next
	// re-evaluation attaches it.
	for i := range 20 {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		sample(level, "ours", at, 200+float64(i%5))
		sample(level, "rival", at, 40+float64(i%5))
	}
	clk.t = t0.Add(2 * time.Hour)
	if _, err := s.Reevaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int
	for _, e := range get(t, s, "L").Evidence {
		if e.Kind == "behind_competitor" && e.Cell == level {
			n++
		}
	}
	if n != 1 {
		t.Errorf("L after late samples: %d comparison items, want 1: %+v", n, get(t, s, "L").Evidence)
	}
}
