package shipper

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes/result"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// influxFake fails while down, refuses points whose line contains bad,
// and records what it accepted.
type influxFake struct {
	mu    sync.Mutex
	down  bool
	bad   string
	lines []string
	calls int
}

func (f *influxFake) Write(_ context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		return nil, errors.New("connection refused")
	}
	var rej []influx.Rejected
	for i := range b.Len() {
		l := string(b.Line(i))
		if f.bad != "" && strings.Contains(l, f.bad) {
			rej = append(rej, influx.Rejected{Index: i, Reason: "field type conflict"})
			continue
		}
		f.lines = append(f.lines, l)
	}
	return rej, nil
}

func newShipper(t *testing.T, w PointWriter, o Options) (*Shipper, *prometheus.Registry) {
	t.Helper()
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	o.DB, o.Points = db, w
	reg := prometheus.NewRegistry()
	s, err := New(context.Background(), o, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	return s, reg
}

func linePoints(n, from int) []Point {
	pts := make([]Point, n)
	for i := range pts {
		pts[i] = Point{Result: result.Result{Time: time.Unix(int64(from+i), 0), Measurement: "line_state",
			Tags: map[string]string{"line": fmt.Sprintf("L%d", from+i)}, Fields: map[string]float64{"up": 1}}}
	}
	return pts
}

// Points stay queued while InfluxDB fails and leave the queue only once it
// accepted them; a point it refuses on its own merits is dropped and
// counted, never retried forever.
func TestPointsLeaveOnlyWhenAccepted(t *testing.T) {
	w := &influxFake{down: true, bad: "L3"}
	s, _ := newShipper(t, w, Options{BatchSize: 2})
	ctx := context.Background()
	if err := s.Enqueue(ctx, linePoints(5, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Drain(ctx); err == nil {
		t.Fatal("drained while InfluxDB is down")
	}
	if d, _ := s.depth(ctx, s.opts.DB); d != 5 {
		t.Fatalf("depth %d after a failed write, want 5", d)
	}
	w.down = false
	n, err := s.Drain(ctx)
	if err != nil || n != 5 {
		t.Fatalf("drained %d, %v", n, err)
	}
	if d, _ := s.depth(ctx, s.opts.DB); d != 0 || len(w.lines) != 4 {
		t.Fatalf("depth %d, written %q", d, w.lines)
	}
	if v := value(s.m.dropped.WithLabelValues(reasonRejected)); v != 1 {
		t.Errorf("rejected drops %v, want 1", v)
	}
	if v := value(s.m.shipped); v != 4 {
		t.Errorf("shipped %v, want 4", v)
	}
}

// A full queue drops its oldest points, counted, and keeps the newest.
func TestFullQueueDropsOldest(t *testing.T) {
	w := &influxFake{down: true}
	s, _ := newShipper(t, w, Options{MaxQueue: 4})
	ctx := context.Background()
	for i := range 3 {
		if err := s.Enqueue(ctx, linePoints(2, 2*i)); err != nil {
			t.Fatal(err)
		}
	}
	if v := value(s.m.dropped.WithLabelValues(reasonOverflow)); v != 2 {
		t.Errorf("overflow drops %v, want 2", v)
	}
	if v := value(s.m.depth); v != 4 {
		t.Errorf("depth gauge %v, want 4", v)
	}
	w.down = false
	if _, err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if len(w.lines) != 4 || !strings.Contains(w.lines[0], "line=L2") {
		t.Fatalf("shipped %q, want L2–L5", w.lines)
	}
}

// Run retries a failing InfluxDB with backoff (counted) and ships once it
// is back; producers never wait for it.
func TestRunRetriesUntilInfluxIsBack(t *testing.T) {
	w := &influxFake{down: true}
	s, _ := newShipper(t, w, Options{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Poll: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if err := s.Enqueue(ctx, linePoints(3, 0)); err != nil {
		t.Fatal(err)
	}
	wait := lab.Deadline(t, 10*time.Second)
	lab.WaitFor(t, wait, time.Millisecond, func() error {
		if r := value(s.m.retries); r < 3 {
			return fmt.Errorf("%v retries", r)
		}
		return nil
	})
	w.mu.Lock()
	w.down = false
	w.mu.Unlock()
	lab.WaitFor(t, wait, time.Millisecond, func() error {
		if n := value(s.m.shipped); n < 3 {
			return fmt.Errorf("%v shipped after InfluxDB came back", n)
		}
		return nil
	})
}

func value(m prometheus.Metric) float64 {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		panic(err)
	}
	return d.GetCounter().GetValue() + d.GetGauge().GetValue()
}

// The queue's depth is read from its two ends, never by scanning it: the
// shipper reads it on every enqueue and the queue holds millions of
// points while InfluxDB is away.
func TestBoundsSeekNotScan(t *testing.T) {
	s, _ := newShipper(t, &influxFake{}, Options{})
	if sqldb.Postgres(s.opts.DB) {
		t.Skip("SQLite's query plan; PostgreSQL answers min() and max() from the index either way")
	}
	rows, err := s.opts.DB.Query(`EXPLAIN QUERY PLAN ` + boundsQuery)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
		if strings.HasPrefix(detail, "SCAN point_queue") {
			t.Errorf("the depth query scans the queue: %q", plan)
		}
	}
	if len(plan) == 0 {
		t.Fatal("no query plan")
	}
}
