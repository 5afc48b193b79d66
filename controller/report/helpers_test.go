package report

import (
	"context"
	"database/sql"
	"log/slog"
	"math"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/notify"
	"github.com/vantage-net/vantage/controller/report/reporttest"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// scenario opens a fresh database with the seeded scenario and a builder
// over it with controller/notify's real proactive ratio (default rules).
func scenario(t *testing.T) (*sql.DB, *Builder) {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := reporttest.Seed(ctx, db); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return reporttest.Now }
	n, err := notify.New(notify.Options{DB: db, Rules: notify.DefaultRules(), Now: now}, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{DB: db, Location: reporttest.Shanghai, Proactive: n.Proactive, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return db, b
}

// near compares figures computed in float64 from milliseconds.
func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}
