// Package storetest opens a database for a package's store tests on the
// backend VANTAGE_TEST_DB names: "sqlite" (the default, a file in the
// test's temp dir) or "postgres" (a fresh database on one PostgreSQL
// cluster per test package, internal/testpg). A package's TestMain calls
// Main, its tests call Open; `make test-postgres` runs them on PostgreSQL.
package storetest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/vantage-net/vantage/controller/store/postgres"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/testpg"
)

// Env is the variable that picks the backend.
const Env = "VANTAGE_TEST_DB"

// pkg is the test binary's one cluster: TestMain owns its life, the tests
// share it. Package state because testing.M gives tests no other way in.
var pkg struct {
	cluster *testpg.Cluster
}

// Postgres reports whether this run stores in PostgreSQL.
func Postgres() bool { return os.Getenv(Env) == "postgres" }

// Main runs the package's tests, with a PostgreSQL cluster around them
// when VANTAGE_TEST_DB=postgres. Call it as os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	if !Postgres() {
		return m.Run()
	}
	return testpg.Main(m, func(c *testpg.Cluster) { pkg.cluster = c })
}

// Open returns a new, migrated, empty database for t, closed at its end.
func Open(t testing.TB) *sql.DB {
	t.Helper()
	db, _ := OpenTarget(t)
	return db
}

// PostgresOnly skips t unless this run stores in PostgreSQL (make
// test-postgres): for what only a shared server can show, such as two
// controllers racing on one database.
func PostgresOnly(t testing.TB) {
	t.Helper()
	if !Postgres() {
		t.Skip("needs PostgreSQL: runs under " + Env + "=postgres (make test-postgres)")
	}
}

// OpenTarget is Open, also returning the path or URL it opened, for a
// second handle on the same database (a second controller).
func OpenTarget(t testing.TB) (*sql.DB, string) {
	t.Helper()
	ctx := context.Background()
	if !Postgres() {
		path := filepath.Join(t.TempDir(), "vantage.db")
		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db, path
	}
	url := URL(t)
	db, err := postgres.Open(ctx, url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, url
}

// Target returns what a test hands to a store's or a command's open: a
// SQLite file in t's temp dir, or a new PostgreSQL database's URL.
func Target(t testing.TB) string {
	t.Helper()
	if Postgres() {
		return URL(t)
	}
	return filepath.Join(t.TempDir(), "vantage.db")
}

// URL returns the URL of a new migrated PostgreSQL database for t (for
// tests that start a controller with database.url). It skips or fails as
// testpg does when the package has no cluster.
func URL(t testing.TB) string {
	t.Helper()
	c := pkg.cluster
	if c == nil {
		if os.Getenv("VANTAGE_REQUIRE_LAB") == "1" {
			t.Fatalf("VANTAGE_REQUIRE_LAB=1: %v (or TestMain does not call storetest.Main)", testpg.ErrMissing)
		}
		t.Skip(testpg.ErrMissing)
	}
	url, err := c.CreateSchema(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return url
}
