package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// migrationFiles are the schema steps, applied in order of their number
// prefix ("0001_inventory.sql"). A step, once released, is never edited:
// change the schema with a new file, so every database walks the same path.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema step.
type Migration struct {
	Version int
	Name    string // file name, for messages and the schema_migrations row
	SQL     string
}

// Migrations lists the steps this build knows, in order.
func Migrations() ([]Migration, error) { return ReadMigrations(migrationFiles, "migrations") }

// ReadMigrations reads the numbered steps in dir of fsys, in order
// (controller/store/postgres reads its own set with it).
func ReadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share number %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Migrate applies every step the database has not had yet, in number
// order, each in its own transaction together with its schema_migrations
// row, so a crash leaves the database at a whole step. It returns the
// versions applied.
//
// A step is applied when its number is missing, not only when it is above
// the newest applied: work developed side by side lands with numbers out
// of order (0021 on main before 0013), and a database that took 0021 first
// must still get 0013. Steps are written to commute (each creates its own
// tables or adds its own columns), which is what makes that safe.
//
// A database that holds a step this build does not know (a downgraded
// controller) is refused rather than used: old code writing into a newer
// schema loses data quietly.
func Migrate(ctx context.Context, db *sql.DB) ([]int, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	return migrate(ctx, db, ms)
}

func migrate(ctx context.Context, db *sql.DB, ms []Migration) ([]int, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
	)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	return ApplyMissing(ctx, db, ms)
}

// Execer is what ApplyMissing needs of a database: a *sql.DB, or the one
// *sql.Conn that holds PostgreSQL's migration lock.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// ApplyMissing applies the steps of ms whose number schema_migrations lacks
// (the rule of Migrate); the table must exist.
func ApplyMissing(ctx context.Context, db Execer, ms []Migration) ([]int, error) {
	done, err := appliedVersions(ctx, db)
	if err != nil {
		return nil, err
	}
	known := map[int]bool{}
	for _, m := range ms {
		known[m.Version] = true
	}
	for v := range done {
		if !known[v] {
			return nil, fmt.Errorf("database schema has step %d, which this controller does not know: run the newer controller", v)
		}
	}
	var applied []int
	for _, m := range ms {
		if done[m.Version] {
			continue
		}
		if err := apply(ctx, db, m); err != nil {
			return applied, err
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

func appliedVersions(ctx context.Context, db Execer) (map[int]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema versions: %w", err)
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema versions: %w", err)
		}
		done[v] = true
	}
	return done, rows.Err()
}

func apply(ctx context.Context, db Execer, m Migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name) VALUES (?, ?)`, m.Version, m.Name); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	return nil
}

// Version is the newest migration applied to db (0 for a new file).
func Version(ctx context.Context, db *sql.DB) (int, error) {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}
