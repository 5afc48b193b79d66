package coverage

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

func newDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rsrp stores one site's RSRP samples, one a minute over [from, to).
func rsrp(t *testing.T, db *sql.DB, from, to time.Time, dbm float64) {
	t.Helper()
	for ts := from; ts.Before(to); ts = ts.Add(time.Minute) {
		if _, err := db.Exec(`INSERT INTO cell_samples (cell, test, network, site, agent, target, t_ms, value)
			VALUES ('wx4g0bm', 'rsrp_dbm', '', 'hs-1', 'a1', '198.18.0.1', ?, ?)`, ts.UnixMilli(), dbm); err != nil {
			t.Fatal(err)
		}
	}
}

func newEval(t *testing.T, db *sql.DB) *Evaluator {
	t.Helper()
	e, err := New(Options{DB: db, Window: 5 * time.Minute, Interval: time.Minute, WeakAfter: 3 * time.Minute,
		Retention: time.Hour, WeakScore: 50, MinSamples: 3, Bands: map[string]Band{
			"rsrp_dbm": {Weak: -110, Good: -90}, "sinr_db": {Weak: 0, Good: 15}, "rssi_dbm": {Weak: -95, Good: -70},
			"throughput_kbps": {Weak: 2000, Good: 20000}}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The score is the median's place between weak and good; an event opens
// after weak_after below, stays open while the cell is silent (silence is
// no recovery), and closes at the first evaluation at or above the weak
// score, with its start where the cell went below.
func TestWeakEventOpensAndCloses(t *testing.T) {
	db := newDB(t)
	e := newEval(t, db)
	ctx := context.Background()
	eval := func(at time.Time) CellResult {
		t.Helper()
		rs, err := e.Evaluate(ctx, at)
		if err != nil || len(rs) != 1 {
			t.Fatalf("evaluate at %s: %v %+v", at, err, rs)
		}
		return rs[0]
	}
	rsrp(t, db, t0, t0.Add(10*time.Minute), -105) // score 25
	if r := eval(t0.Add(5 * time.Minute)); !r.Known || r.Score != 25 || r.Weak {
		t.Fatalf("first evaluation: %+v", r)
	}
	if r := eval(t0.Add(7 * time.Minute)); r.Weak {
		t.Fatalf("2 min below, weak_after 3m: %+v", r)
	}
	if r := eval(t0.Add(8 * time.Minute)); !r.Weak {
		t.Fatalf("3 min below: %+v", r)
	}
	// No samples for a while: unknown score, still weak.
	if r := eval(t0.Add(30 * time.Minute)); r.Known || !r.Weak {
		t.Fatalf("silent cell: %+v", r)
	}
	rsrp(t, db, t0.Add(30*time.Minute), t0.Add(36*time.Minute), -92) // score 90
	if r := eval(t0.Add(36 * time.Minute)); !r.Known || r.Score != 90 || r.Weak {
		t.Fatalf("recovered: %+v", r)
	}
	evs, err := Events(ctx, db, t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || !evs[0].StartedAt.Equal(t0.Add(5*time.Minute)) || evs[0].EndedAt == nil ||
		!evs[0].EndedAt.Equal(t0.Add(36*time.Minute)) || evs[0].MinScore != 25 {
		t.Fatalf("events %+v", evs)
	}
	// Samples older than the retention (1h) are pruned by an evaluation.
	if _, err := e.Evaluate(ctx, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM cell_samples`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("samples after retention: %d %v", n, err)
	}
}

// Bad input names its field.
func TestCellsHandlerBadInput(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(newDB(t)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/coverage/cells?weak=maybe", nil))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"weak"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// A competitor's throughput measured from our hotspot (a comparison
// uplink) is not our coverage; ours, bound or not, is.
func TestCoverageIgnoresCompetitorsThroughput(t *testing.T) {
	db := newDB(t)
	e := newEval(t, db)
	e.opts.Ours = "ours"
	for ts := t0; ts.Before(t0.Add(5 * time.Minute)); ts = ts.Add(time.Minute) {
		// rival downloads from two servers: without the filter its values
		// would outnumber ours and carry the median.
		for _, s := range []struct {
			network, target string
			kbps            float64
		}{{"", "a", 500}, {"ours", "a", 500}, {"rival", "a", 90000}, {"rival", "b", 90000}, {"rival", "c", 90000}} {
			if _, err := db.Exec(`INSERT INTO cell_samples (cell, test, network, site, agent, target, t_ms, value)
				VALUES ('wx4g0bm', 'throughput_kbps', ?, 'hs-1', 'a1', ?, ?, ?)`, s.network, s.target, ts.UnixMilli(), s.kbps); err != nil {
				t.Fatal(err)
			}
		}
	}
	rs, err := e.Evaluate(context.Background(), t0.Add(5*time.Minute))
	if err != nil || len(rs) != 1 || rs[0].Score != 0 {
		t.Fatalf("%v %+v: want score 0 from our 500 kbit/s alone", err, rs)
	}
}
