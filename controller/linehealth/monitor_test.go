package linehealth

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/probes/result"
)

const testInventory = `customers:
  - {id: C1, name: One, tier: diamond}
  - {id: C2, name: Two, tier: silver}
elements:
  - {id: pop, kind: pop, name: PoP, agent: agent-1}
  - {id: pe, parent: pop, kind: router, name: PE}
  - {id: card, parent: pe, kind: card, name: Card}
  - {id: p1, parent: card, kind: port, name: P1}
  - {id: p2, parent: card, kind: port, name: P2}
lines:
  - {circuit_id: L1, customer: C1, upstream_element: p1}
  - {circuit_id: L2, customer: C2, upstream_element: p2}
`

// points records what would go to InfluxDB.
type points struct {
	mu    sync.Mutex
	lines []string
	fail  bool
}

func (p *points) Write(_ context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return nil, context.DeadlineExceeded
	}
	for i := range b.Len() {
		p.lines = append(p.lines, string(b.Line(i)))
	}
	return nil, nil
}

type fixture struct {
	db   *sql.DB
	inv  *inventory.SQLStore
	pts  *points
	shp  *shipper.Shipper
	now  time.Time
	opts Options
	t0   time.Time
}

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func newFixture(t testing.TB) *fixture { return newFixtureWith(t, testInventory) }

func newFixtureWith(t testing.TB, inventoryYAML string) *fixture {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "inv.yaml")
	if err := os.WriteFile(file, []byte(inventoryYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, db, err := inventory.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	set, err := inventory.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inv.Import(context.Background(), set, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, inv: inv, pts: &points{}, t0: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	f.now = f.t0
	f.shp, err = shipper.New(context.Background(), shipper.Options{DB: db, Points: f.pts}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := linestate.DefaultParams()
	p.FailRounds = 2
	f.opts = Options{DB: db, Inventory: inv, Shipper: f.shp, Now: func() time.Time { return f.now },
		Detector: linestate.Options{Horizon: 5 * time.Second, Default: p}}
	return f
}

func (f *fixture) monitor(t testing.TB) *Monitor {
	t.Helper()
	m, err := New(context.Background(), f.opts, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ping(line string, at time.Time, ok bool) result.Result {
	recv := 0.0
	if ok {
		recv = 3
	}
	return result.Result{Time: at, Measurement: "ping", Tags: map[string]string{"target": "198.18.0.1", "line": line},
		Fields: map[string]float64{"sent": 3, "recv": recv, "loss_pct": 100 - recv/3*100, "rtt_avg_ms": 1}}
}

// feed sends one second of results per line, downAt ≤ s < upAt failing for
// lines in down, and ticks the clock.
func (f *fixture) feed(t *testing.T, m *Monitor, from, to int, down map[string]bool, downAt, upAt int) []result.Result {
	t.Helper()
	var all []result.Result
	for s := from; s < to; s++ {
		at := f.t0.Add(time.Duration(s) * time.Second)
		var rs []result.Result
		for _, l := range []string{"L1", "L2", "L9"} {
			rs = append(rs, ping(l, at, !(down[l] && s >= downAt && s < upAt)))
		}
		f.now = at.Add(500 * time.Millisecond)
		if err := m.Handle(context.Background(), "agent-1", rs); err != nil {
			t.Fatal(err)
		}
		if err := m.tick(context.Background(), f.now); err != nil {
			t.Fatal(err)
		}
		all = append(all, rs...)
	}
	return all
}

func TestCardFlapIsOneIncident(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	ctx := context.Background()
	all := f.feed(t, m, 0, 40, map[string]bool{"L1": true, "L2": true}, 10, 15)

	incs, _, err := f.reads(t).Incidents(ctx, AllCustomers, "", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 1 || incs[0].Lines != 2 || incs[0].Root != "card" || incs[0].State != "closed" {
		t.Fatalf("incidents %+v", incs)
	}
	if cs := incs[0].Customers; len(cs) != 2 || cs[0].Tier == "" {
		t.Errorf("customers %+v", cs)
	}
	detail, err := f.reads(t).Incident(ctx, AllCustomers, incs[0].ID)
	if err != nil || len(detail.Timeline) == 0 {
		t.Fatalf("incident detail %+v %v", detail, err)
	}

	lines := 3 // L9, not in the inventory, until the restart drops it
	check := func(state string) {
		t.Helper()
		views, _, err := f.reads(t).Lines(ctx, AllCustomers, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(views) != lines {
			t.Fatalf("%d lines: %+v", len(views), views)
		}
		for _, v := range views {
			wantFlaps := 1
			if v.ID == "L9" {
				wantFlaps = 0
				if v.Customer != "" || v.InInventory {
					t.Errorf("unknown line %+v", v)
				}
			}
			if v.Flaps24h != wantFlaps || v.Outages24h != 0 || v.State != state {
				t.Errorf("line %+v, want %d flaps", v, wantFlaps)
			}
			if wantFlaps == 1 && (v.Availability24h >= 100 || v.Availability24h < 99.99) {
				t.Errorf("availability %v", v.Availability24h)
			}
		}
	}
	check("up")
	var n int
	if err := f.db.QueryRow(`SELECT count(*) FROM line_events`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d line events, %v", n, err)
	}

	// A redelivery of everything changes nothing.
	if err := m.Handle(ctx, "agent-1", all); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute) // the agent went quiet: silence is unknown, not down
	if err := m.tick(ctx, f.now); err != nil {
		t.Fatal(err)
	}
	check("unknown")

	// Restart from the snapshot: same state, same figures, no new incident.
	if err := m.snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	m2 := f.monitor(t)
	st, ok := m2.det.State("L1")
	if !ok || st.State != linestate.Unknown || st.Final != linestate.Unknown {
		t.Fatalf("restored L1 %+v %v", st, ok)
	}
	m = m2
	lines = 2
	check("unknown")
	if d, err := f.reads(t).Line(ctx, AllCustomers, "L1"); err != nil || d.Inventory == nil || len(d.Events) != 1 || len(d.Incidents) != 1 {
		t.Fatalf("line detail %+v %v", d, err)
	}
	if _, err := f.reads(t).Line(ctx, AllCustomers, "nope"); err == nil {
		t.Fatal("unknown line found")
	}

	f.ship(t)
	f.pts.mu.Lock()
	defer f.pts.mu.Unlock()
	var events, states int
	for _, l := range f.pts.lines {
		switch {
		case len(l) > 10 && l[:10] == "line_event":
			events++
		case len(l) > 10 && l[:10] == "line_state":
			states++
		}
	}
	if events < 2 || states < 3 {
		t.Errorf("%d line_event and %d line_state points:\n%q", events, states, f.pts.lines)
	}
}

// ship drains the point queue into f.pts.
func (f *fixture) ship(t *testing.T) {
	t.Helper()
	if _, err := f.shp.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// InfluxDB failing holds up nothing: the outputs are committed (a snapshot
// may be taken) and their points wait in the queue until it is back.
func TestInfluxFailureKeepsPointsQueued(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	ctx := context.Background()
	f.pts.fail = true
	rs := []result.Result{ping("L1", f.t0, true)}
	f.now = f.t0.Add(time.Minute) // seals the evidence: a final transition to write
	if err := m.Handle(ctx, "a", rs); err != nil {
		t.Fatal(err)
	}
	if err := m.tick(ctx, f.now); err != nil {
		t.Fatalf("commit failed while only InfluxDB fails: %v", err)
	}
	if err := m.snapshot(ctx); err != nil {
		t.Fatalf("snapshot refused while only InfluxDB fails: %v", err)
	}
	if _, err := f.shp.Drain(ctx); err == nil {
		t.Fatal("shipping succeeded while InfluxDB fails")
	}
	if n := queued(t, f.db); n == 0 {
		t.Fatal("no point queued")
	}
	f.pts.fail = false
	f.ship(t)
	if len(f.pts.lines) == 0 || queued(t, f.db) != 0 {
		t.Fatalf("after recovery %d points written, %d still queued", len(f.pts.lines), queued(t, f.db))
	}
}

func queued(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM point_queue`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// reads is the API's read model over the fixture's database.
func (f *fixture) reads(t *testing.T) *ReadModel {
	t.Helper()
	rm, err := NewReadModel(ReadOptions{DB: f.db, Inventory: f.inv, Horizon: f.opts.Detector.Horizon, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	return rm
}
