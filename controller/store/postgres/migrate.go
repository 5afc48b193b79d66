package postgres

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"

	"github.com/vantage-net/vantage/controller/store/sqlite"
)

//go:embed compat.sql
var compatSQL string

// migrationLock is the advisory lock key two controllers starting at once
// take, so one migrates and the other then finds the steps applied.
const migrationLock = 0x76616e74 // "vant"

// Migrate brings db's schema up to date with the same rule as SQLite's
// (sqlite.Migrate: every missing number, in order, each step in its own
// transaction; an unknown applied step refuses the database), under an
// advisory lock held on one connection for the whole run.
func Migrate(ctx context.Context, db *sql.DB) ([]int, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	return migrate(ctx, db, ms)
}

func migrate(ctx context.Context, db *sql.DB, ms []sqlite.Migration) ([]int, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, migrationLock); err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	// Unlock on a fresh context: ctx may be what ended the run.
	defer c.ExecContext(context.Background(), `SELECT pg_advisory_unlock(?)`, migrationLock) //nolint:errcheck // closing the session releases it too
	if _, err := c.ExecContext(ctx, compatSQL); err != nil {
		return nil, fmt.Errorf("compat functions: %w", err)
	}
	if _, err := c.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
	)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	return sqlite.ApplyMissing(ctx, c, ms)
}
