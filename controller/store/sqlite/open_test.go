package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func open(t *testing.T) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), DefaultName)
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func TestOpenSetsPragmasOnEveryConnection(t *testing.T) {
	db, _ := open(t)
	ctx := context.Background()
	// Hold two connections at once so the pool has to make a second one.
	c1, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	for _, c := range []*sql.Conn{c1, c2} {
		var mode string
		var fk, busy, temp int
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&temp); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || busy != 5000 || temp != 2 {
			t.Errorf("journal_mode=%s foreign_keys=%d busy_timeout=%d temp_store=%d", mode, fk, busy, temp)
		}
	}
}

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	db, path := open(t)
	ctx := context.Background()
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	v, err := Version(ctx, db)
	if err != nil || v != ms[len(ms)-1].Version {
		t.Fatalf("version %d, %v; want %d", v, err, ms[len(ms)-1].Version)
	}
	again, err := Migrate(ctx, db)
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate applied %v, %v", again, err)
	}
	db.Close()

	// Reopening keeps the data and applies nothing.
	db2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var n int
	if err := db2.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(ms) {
		t.Fatalf("schema_migrations has %d rows, %v", n, err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	db, path := open(t)
	if _, err := db.Exec("INSERT INTO schema_migrations(version, name) VALUES (9999, '9999_future.sql')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(context.Background(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "which this controller does not know") {
		t.Fatalf("got %v", err)
	}
}

func TestSchemaConstraints(t *testing.T) {
	db, _ := open(t)
	mustFail := func(what, q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
	mustFail("bad tier", "INSERT INTO customers(id, name, tier) VALUES ('c1', 'x', 'platinum')")
	mustFail("dangling customer", "INSERT INTO lines(circuit_id, customer_id) VALUES ('L1', 'nobody')")
	mustFail("self parent", "INSERT INTO upstream_elements(id, parent_id, kind, name) VALUES ('e', 'e', 'pop', 'x')")

	// Deferred references: a child may be written before its parent in one
	// transaction, as an import does.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"INSERT INTO upstream_elements(id, parent_id, kind, name) VALUES ('card', 'router', 'card', 'c')",
		"INSERT INTO upstream_elements(id, parent_id, kind, name) VALUES ('router', NULL, 'router', 'r')",
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("deferred reference: %v", err)
	}
}

func TestLineEventsUpsertOnReplay(t *testing.T) {
	db, _ := open(t)
	const q = `INSERT INTO line_events(circuit_id, kind, started_at, ended_at, duration_s, recorded_at)
		VALUES (?, 'flap', ?, ?, ?, ?)
		ON CONFLICT (circuit_id, kind, started_at) DO UPDATE SET ended_at = excluded.ended_at, duration_s = excluded.duration_s`
	for i := 0; i < 2; i++ { // the same flap delivered twice
		if _, err := db.Exec(q, "L1", 1000, 3000, 2.0, 5000+i); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM flaps WHERE circuit_id = 'L1'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d flaps, %v", n, err)
	}
}

// The data_dir may not exist yet, and its name may hold characters that mean
// something in the file: URI the driver is given.
func TestOpenMakesDataDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fresh data #1 %20?x", DefaultName)
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

// TestFileModes: the database, its -wal and its -shm are readable by the
// controller's user only, even with a permissive umask, and a file an older
// build created 0644 is tightened on open.
func TestFileModes(t *testing.T) {
	old := syscall.Umask(0o002)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, DefaultName)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A write makes sure the WAL and the shared-memory index exist.
	if _, err := db.Exec(`CREATE TABLE mode_probe (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if m := st.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %o, want 600", filepath.Base(p), m)
		}
	}
	// A fresh file, never there before.
	fresh := filepath.Join(dir, "new", DefaultName)
	db2, err := Open(context.Background(), fresh, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if _, err := db2.Exec(`CREATE TABLE mode_probe (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fresh, fresh + "-wal", fresh + "-shm"} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode 600", p, st.Mode(), err)
		}
	}
}
