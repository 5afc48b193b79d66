package complaints

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// Complaint points reach a real InfluxDB 1.8.10 through the shipper with
// DESIGN.md's tags and field. A verdict changed by late evidence moves the
// complaint to the new series without counting it twice: a dashboard's
// sum of n over the period equals the number of complaints, per verdict
// too. Two complaints of one series received at the same minute stay two.
func TestComplaintPointsCountEachComplaintOnce(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	seed(t, db)
	srv := testinflux.Start(t)
	w, err := influx.New(influx.Options{URL: srv.URL, Bucket: srv.Bucket}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	ship, err := shipper.New(ctx, shipper.Options{DB: db, Points: w}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	received := t0.Add(5 * 24 * time.Hour)
	clk := &clock{t: received.Add(time.Minute)}
	s, err := New(Options{DB: db, Now: clk.now, Points: ship}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// C and C2: same customer, cell, category and minute; A: confirmed at once.
	put(t, s, Intake{ID: "C", ReceivedAt: received, CircuitID: "L2", Category: NoService},
		Intake{ID: "C2", ReceivedAt: received, CircuitID: "L2", Category: NoService},
		Intake{ID: "A", ReceivedAt: t0, CustomerID: "c1", Category: LineInterruption})
	if _, err := ship.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"not_observed": 2, "confirmed": 1}
	checkSums(t, srv, want)

	// Late evidence: an outage on L2 in C's window turns C and C2 confirmed.
	exec(t, db, `INSERT INTO line_events (circuit_id, kind, started_at, recorded_at) VALUES ('L2', 'outage', ?, ?)`,
		ms(received.Add(-2*time.Hour)), ms(clk.t))
	clk.t = clk.t.Add(time.Minute)
	if _, err := s.Reevaluate(ctx); err != nil {
		t.Fatal(err)
	}
	// A second round changes nothing and queues nothing.
	if _, err := s.Reevaluate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ship.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	checkSums(t, srv, map[string]int64{"confirmed": 3})

	pts, err := srv.Points(ctx, "complaint")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pts {
		if p["_measurement"] != "complaint" || p["category"] == nil || p["verdict"] == nil {
			t.Errorf("point lacks its tags: %v", p)
		}
		if _, ok := p["n"].(int64); !ok {
			t.Errorf("n is not an integer: %v", p)
		}
		if p["grid"] == nil || p["customer"] == nil {
			t.Errorf("linked complaint's point lacks grid or customer: %v", p)
		}
		if at, _ := p["_time"].(time.Time); at.Sub(received) >= time.Millisecond && at.Sub(t0) >= time.Millisecond {
			t.Errorf("point at %v, not within a millisecond of its complaint's received time", at)
		}
	}
}

// checkSums compares sum(n) per verdict, and in all, with want.
func checkSums(t *testing.T, srv *testinflux.Server, want map[string]int64) {
	t.Helper()
	rows, err := srv.Query(context.Background(), fmt.Sprintf(`from(bucket: %q)
  |> range(start: 2026-01-01T00:00:00Z, stop: 2027-01-01T00:00:00Z)
  |> filter(fn: (r) => r._measurement == "complaint" and r._field == "n")
  |> group(columns: ["verdict"])
  |> sum()`, srv.Bucket))
	if err != nil {
		t.Fatal(err)
	}
	got, total, wantTotal := map[string]int64{}, int64(0), int64(0)
	for _, r := range rows {
		v, _ := r["_value"].(int64)
		if v != 0 {
			got[r["verdict"].(string)] = v
		}
		total += v
	}
	for _, v := range want {
		wantTotal += v
	}
	if total != wantTotal || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("sum(n) by verdict %v (total %d), want %v (total %d: one per complaint)", got, total, want, wantTotal)
	}
}
