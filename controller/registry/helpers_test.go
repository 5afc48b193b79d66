package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/waitfor"
	"github.com/vantage-net/vantage/probes/result"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// points records the line protocol that would be queued for InfluxDB.
type points struct {
	mu    sync.Mutex
	lines []string
	fail  bool
}

func (p *points) Enqueue(_ context.Context, pts []shipper.Point) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return errors.New("database is locked")
	}
	for i := range pts {
		var b influx.Batch
		if err := b.Add(pts[i].Agent, &pts[i].Result); err != nil {
			return err
		}
		p.lines = append(p.lines, string(b.Line(0)))
	}
	return nil
}

func (p *points) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.lines
	p.lines = nil
	return l
}

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type fixture struct {
	clk *clock.Fake
	pts *points
	reg *prometheus.Registry
	r   *Registry
}

func newFixture(t *testing.T, db *sql.DB) *fixture {
	t.Helper()
	return newFixtureAt(t, db, t0)
}

// newFixtureAt starts the registry with its clock at start.
func newFixtureAt(t *testing.T, db *sql.DB, start time.Time) *fixture {
	t.Helper()
	f := &fixture{clk: clock.NewFake(start), pts: &points{}, reg: prometheus.NewRegistry()}
	o := Options{DB: db, Points: f.pts, Clock: f.clk}
	if db != nil {
		o.Sites = inventory.NewSQLStore(db) // agents' sites: importSites
	}
	r, err := New(context.Background(), o, nil, f.reg)
	if err != nil {
		t.Fatal(err)
	}
	f.r = r
	return f
}

// beat observes a heartbeat sent at the agent's clock now+skew.
func (f *fixture) beat(id string, interval time.Duration, skew time.Duration) {
	f.r.Observe(id, result.Heartbeat{Agent: id, Site: "S1", Version: "1.2.3", Time: f.clk.Now().Add(skew),
		SpoolDepth: 7, ResultsSent: 100, ConfigRevision: 4, IntervalS: interval.Seconds()}, f.clk.Now())
}

// importSites imports an inventory whose sites name agents: "S1=cpe-1"
// puts agent cpe-1 at site S1.
func importSites(t *testing.T, db *sql.DB, siteAgent ...string) {
	t.Helper()
	y := "customers:\n  - {id: C1, name: One, tier: gold}\nsites:\n"
	for _, sa := range siteAgent {
		site, agent, _ := strings.Cut(sa, "=")
		y += fmt.Sprintf("  - {id: %s, customer: C1, kind: cpe, name: %s, agent: %s}\n", site, site, agent)
	}
	set, err := inventory.ParseYAML("inv.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.NewSQLStore(db).Import(context.Background(), set, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) evaluate(t *testing.T) {
	t.Helper()
	if err := f.r.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) state(t *testing.T, id string) Agent {
	t.Helper()
	a, ok := f.r.Get(id)
	if !ok {
		t.Fatalf("agent %s unknown", id)
	}
	return a
}

func gauge(t *testing.T, reg *prometheus.Registry, state string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "vantage_controller_agents" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == state {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no vantage_controller_agents{state=%q}", state)
	return 0
}

// counter reads one labelled counter.
func counter(c *prometheus.CounterVec, label string) float64 {
	var m dto.Metric
	_ = c.WithLabelValues(label).Write(&m)
	return m.GetCounter().GetValue()
}

// waitFor polls cond until it holds or the test's deadline nears.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitfor.True(t, what, cond)
}

func hasLine(lines []string, substr ...string) bool {
	for _, l := range lines {
		ok := true
		for _, s := range substr {
			ok = ok && strings.Contains(l, s)
		}
		if ok {
			return true
		}
	}
	return false
}
