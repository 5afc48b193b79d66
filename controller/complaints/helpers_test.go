package complaints

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// t0 is the scenario's reference time: 2026-11-20 08:00 Beijing.
var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func ms(t time.Time) int64 { return t.UnixMilli() }

// seed is the linking scenario's inventory and line health:
//
//	c1 (manager am1): site s1 at 31.2300,121.4700, line L1: up, an outage
//	   07:30–07:40 on t0's day and incident 1 (07:30–07:45) with L1.
//	c2: site s2 at 31.3000,121.5000, line L2: up, degraded 10:00–11:00 on
//	   day 1; contact phone +86 138-0013-8000.
//	c3: line L3 without any line state (not watched).
//	hot1: a hotspot at 31.2400,121.4800 with no customer and no line.
func seed(t *testing.T, db *sql.DB) {
	exec(t, db, `INSERT INTO customers (id, name, tier, account_manager) VALUES
		('c1', 'One', 'gold', 'am1'), ('c2', 'Two', 'ab_group', 'am2'), ('c3', 'Three', 'silver', 'am1')`)
	exec(t, db, `INSERT INTO sites (id, customer_id, kind, name, lat, lon, grid_cell) VALUES
		('s1', 'c1', 'cpe', 'One HQ', 31.23, 121.47, ''), ('s2', 'c2', 'cpe', 'Two HQ', 31.30, 121.50, ''),
		('hot1', NULL, 'hotspot', 'Compound', 31.24, 121.48, '')`)
	exec(t, db, `INSERT INTO contacts (id, customer_id, name, phone) VALUES ('k2', 'c2', 'Wang', '+86 138-0013-8000')`)
	exec(t, db, `INSERT INTO lines (circuit_id, customer_id, a_end_site) VALUES ('L1', 'c1', 's1'), ('L2', 'c2', 's2'), ('L3', 'c3', NULL)`)
	now := ms(t0)
	exec(t, db, `INSERT INTO line_states (circuit_id, state, since, updated_at) VALUES ('L1', 'up', ?, ?), ('L2', 'up', ?, ?)`,
		ms(t0.Add(-30*24*time.Hour)), now, ms(t0.Add(-30*24*time.Hour)), now)
	exec(t, db, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, duration_s, loss_pct, recorded_at)
		VALUES ('L1', 'outage', ?, ?, 600, 100, ?)`, ms(t0.Add(-30*time.Minute)), ms(t0.Add(-20*time.Minute)), now)
	exec(t, db, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, duration_s, loss_pct, rtt_ms, recorded_at)
		VALUES ('L2', 'degraded', ?, ?, 3600, 4.5, 180, ?)`, ms(t0.Add(26*time.Hour)), ms(t0.Add(27*time.Hour)), now)
	exec(t, db, `INSERT INTO incidents (id, kind, started_at, ended_at, lines, customers, timeline, updated_at)
		VALUES (1, 'outage', ?, ?, '[]', '[]', '[]', ?)`, ms(t0.Add(-30*time.Minute)), ms(t0.Add(-15*time.Minute)), now)
	exec(t, db, `INSERT INTO incident_lines (incident_id, circuit_id, customer_id) VALUES (1, 'L1', 'c1')`)
}

// clock is a settable clock for Store.Options.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newStore(t *testing.T, db *sql.DB, clk *clock) *Store {
	t.Helper()
	s, err := New(Options{DB: db, Now: clk.now}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fptr(v float64) *float64 { return &v }

func tptr(v time.Time) *time.Time { return &v }

func put(t *testing.T, s *Store, ins ...Intake) Summary {
	t.Helper()
	sum, _, err := s.Put(context.Background(), ins)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func get(t *testing.T, s *Store, id string) Complaint {
	t.Helper()
	c, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func kinds(ev []Evidence) []string {
	var out []string
	for _, e := range ev {
		out = append(out, e.Kind+":"+e.Line)
	}
	return out
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
