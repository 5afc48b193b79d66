package places

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/cellsamples"
	"github.com/vantage-net/vantage/controller/compare"
	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/coverage"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/waitfor"
	"github.com/vantage-net/vantage/probes/result"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// hotspotGrid is a synthetic 3 × 3 grid of cells with two hotspot sites
// each; weakCell's sites report a poor signal and slow downloads.
type hotspotGrid struct {
	db    *sql.DB
	sink  *cellsamples.Sink
	cells []string
	lat   map[string]float64 // a cell's first site
	lon   map[string]float64
}

// weakCell is the middle of the grid (set by newGrid).
var weakCell string

func newGrid(t *testing.T) *hotspotGrid {
	t.Helper()
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	g := &hotspotGrid{db: db, lat: map[string]float64{}, lon: map[string]float64{}}
	// Sites 0.005° (about 500 m) apart, so each lies in its own geohash-7
	// cell (about 150 m), as the inventory computes it.
	for i := range 9 {
		lat, lon := 39.9+float64(i/3)*0.005, 116.4+float64(i%3)*0.005
		cell := complaints.Geohash(lat, lon, 7)
		g.cells = append(g.cells, cell)
		g.lat[cell], g.lon[cell] = lat, lon
		if i == 4 {
			weakCell = cell
		}
		for s := range 2 {
			if _, err := db.Exec(`INSERT INTO sites (id, kind, name, lat, lon, grid_cell) VALUES (?, 'hotspot', ?, ?, ?, ?)`,
				site(cell, s), "hotspot "+cell, lat, lon+float64(s)*0.00001, cell); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.Exec(`INSERT INTO sites (id, kind, name) VALUES ('no-coords', 'hotspot', 'no coordinates')`); err != nil {
		t.Fatal(err)
	}
	g.sink, err = cellsamples.New(cellsamples.Options{DB: db, Radio: map[string]string{"rsrp": "rsrp_dbm", "sinr": "sinr_db"},
		Now: func() time.Time { return t0 }}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func site(cell string, i int) string { return fmt.Sprintf("hs-%s-%d", cell, i) }

// feed sends every site's SNMP radio scalars and an HTTP download every
// 30 s over [from, to), through the sink as the ingest would.
func (g *hotspotGrid) feed(t *testing.T, from, to time.Time, rng *rand.Rand) {
	t.Helper()
	for ts := from; ts.Before(to); ts = ts.Add(30 * time.Second) {
		for _, cell := range g.cells {
			rsrp, sinr, kbps := -85.0, 18.0, 25000.0
			if cell == weakCell {
				rsrp, sinr, kbps = -118, -2, 900
			}
			for s := range 2 {
				agent := "agent-" + site(cell, s)
				tags := func(kv ...string) map[string]string {
					m := map[string]string{"site": site(cell, s)}
					for i := 0; i < len(kv); i += 2 {
						m[kv[i]] = kv[i+1]
					}
					return m
				}
				jit := func(v, by float64) float64 { return v + (rng.Float64()-0.5)*2*by }
				batch := []result.Result{
					{Time: ts, Measurement: "snmp", Tags: tags("device", "198.18.0.1", "metric", "rsrp"), Fields: map[string]float64{"value": jit(rsrp, 3)}},
					{Time: ts, Measurement: "snmp", Tags: tags("device", "198.18.0.1", "metric", "sinr"), Fields: map[string]float64{"value": jit(sinr, 2)}},
					{Time: ts, Measurement: "snmp", Tags: tags("device", "198.18.0.1", "metric", "cpu"), Fields: map[string]float64{"value": 12}},
					{Time: ts, Measurement: "http", Tags: tags("target", "http://198.18.9.9/10m"), Fields: map[string]float64{"ok": 1, "throughput_kbps": jit(kbps, kbps/10)}},
				}
				if err := g.sink.Handle(context.Background(), agent, batch); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A site the inventory places nowhere gives no samples.
		if err := g.sink.Handle(context.Background(), "agent-x", []result.Result{{Time: ts, Measurement: "snmp",
			Tags: map[string]string{"site": "no-coords", "device": "198.18.0.2", "metric": "rsrp"}, Fields: map[string]float64{"value": -80}}}); err != nil {
			t.Fatal(err)
		}
	}
}

// Issue 12, coverage and places: a synthetic hotspot grid with one cell
// made weak and complaints concentrated there. The cell is weak (after
// weak_after, with an event started when it went below), its coverage
// points reach InfluxDB through the shipper, and it is ranked first with
// its reasons; a cell with complaints but good coverage ranks below it.
func TestWeakCellRankedFirst(t *testing.T) {
	g := newGrid(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	srv := testinflux.Start(t)
	w, err := influx.New(influx.Options{URL: srv.URL, Bucket: srv.Bucket}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	ship, err := shipper.New(ctx, shipper.Options{DB: g.db, Points: w}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	bands := map[string]coverage.Band{"rsrp_dbm": {Weak: -110, Good: -90}, "sinr_db": {Weak: 0, Good: 15},
		"rssi_dbm": {Weak: -95, Good: -70}, "throughput_kbps": {Weak: 2000, Good: 20000}}
	ev, err := coverage.New(coverage.Options{DB: g.db, Points: ship, Window: 15 * time.Minute, Interval: time.Minute,
		WeakAfter: 10 * time.Minute, Retention: 24 * time.Hour, WeakScore: 50, MinSamples: 3, Bands: bands}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}

	g.feed(t, t0, t0.Add(10*time.Minute), rng)
	res, err := ev.Evaluate(ctx, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 9 {
		t.Fatalf("%d cells evaluated, want 9 (the site without a cell gives none)", len(res))
	}
	for _, r := range res {
		if r.Weak {
			t.Fatalf("cell %s weak after one evaluation; weak_after is 10m", r.Cell)
		}
		if low := r.Score < 50; low != (r.Cell == weakCell) {
			t.Fatalf("cell %s score %.1f", r.Cell, r.Score)
		}
	}
	g.feed(t, t0.Add(10*time.Minute), t0.Add(21*time.Minute), rng)
	if res, err = ev.Evaluate(ctx, t0.Add(21*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Weak != (r.Cell == weakCell) {
			t.Fatalf("cell %s weak=%v score %.1f", r.Cell, r.Weak, r.Score)
		}
	}
	cells, err := coverage.Cells(ctx, g.db, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 1 || cells[0].Cell != weakCell || cells[0].Event == nil || !cells[0].Event.StartedAt.Equal(t0.Add(10*time.Minute)) ||
		!strings.Contains(cells[0].Event.Reason, "rsrp_dbm median") || !strings.Contains(cells[0].Event.Reason, "throughput_kbps median") {
		t.Fatalf("weak cells: %+v (event %+v)", cells, cells[0].Event)
	}

	// Complaints through the complaints store, placed by their coordinates:
	// 14 in the weak cell (11 about weak signal), 9 about slow service in a
	// cell whose coverage is fine, 1 elsewhere.
	cs, err := complaints.New(complaints.Options{DB: g.db, Now: func() time.Time { return t0.Add(21 * time.Minute) }}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ins []complaints.Intake
	place := func(n int, cell string, cat func(i int) complaints.Category) {
		for i := range n {
			lat, lon := g.lat[cell], g.lon[cell]
			ins = append(ins, complaints.Intake{ID: fmt.Sprintf("T-%s-%02d", cell, i), ReceivedAt: t0.Add(-time.Duration(i+1) * 24 * time.Hour),
				Phone: fmt.Sprintf("1390000%04d", len(ins)), Lat: &lat, Lon: &lon, Category: cat(i)})
		}
	}
	place(14, weakCell, func(i int) complaints.Category {
		if i < 11 {
			return "weak_signal"
		}
		return "no_service"
	})
	place(9, g.cells[7], func(int) complaints.Category { return "slow" })
	place(1, g.cells[1], func(int) complaints.Category { return "other" })
	if _, _, err := cs.Put(ctx, ins); err != nil {
		t.Fatal(err)
	}
	cmp, err := compare.New(compare.Options{DB: g.db, Ours: "ours", MinSamples: 20, Resamples: 500, Confidence: 0.95, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rk, err := New(Options{DB: g.db, Compare: cmp, Complaints: StoredComplaints(g.db), WeakScore: 50})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := rk.Rank(ctx, t0.Add(21*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || ps[0].Cell != weakCell || ps[1].Cell != g.cells[7] || ps[2].Cell != g.cells[1] || ps[0].Complaints != 14 || ps[0].Repeats == 0 {
		t.Fatalf("ranking: %+v", ps)
	}
	for _, p := range ps {
		t.Logf("#%d %s score %.1f reasons %+v", p.Rank, p.Cell, p.Score, p.Reasons)
	}
	kinds := map[string]bool{}
	for _, r := range ps[0].Reasons {
		kinds[r.Kind] = true
	}
	for _, k := range []string{"weak_coverage", "complaints", "weak_signal_complaints", "repeat_complaints"} {
		if !kinds[k] {
			t.Errorf("first place lacks reason %s: %+v", k, ps[0].Reasons)
		}
	}
	if ps[0].Reasons[0].Kind != "weak_coverage" || !strings.Contains(ps[0].Reasons[0].Text, "weak coverage since 2026-11-20T08:10:00Z") {
		t.Errorf("first reason: %+v", ps[0].Reasons[0])
	}

	// The coverage points reach InfluxDB through the shipper's queue.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ship.Run(runCtx) }()
	defer func() { stop(); <-done }()
	waitfor.Until(t, "coverage points in InfluxDB", func() error {
		pts, err := srv.Points(ctx, "coverage")
		if err != nil {
			return err
		}
		if len(pts) != 2*(9+18) {
			return fmt.Errorf("%d points, want %d (2 evaluations × (9 cells + 18 sites))", len(pts), 2*(9+18))
		}
		weakPts := 0
		for _, p := range pts {
			if p["grid"] == weakCell && p["site"] == nil && p["weak"] == int64(1) {
				weakPts++
			}
		}
		if weakPts != 1 {
			t.Fatalf("cell points of %s with weak=1: %d, want 1 (the second evaluation): %v", weakCell, weakPts, pts)
		}
		return nil
	})
}
