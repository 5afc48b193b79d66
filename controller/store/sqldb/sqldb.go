// Package sqldb opens the controller's database on either backend: the
// embedded SQLite file for one controller (controller/store/sqlite), or a
// PostgreSQL server several controllers share (controller/store/postgres).
// Both give a *sql.DB with the same tables, taking the same SQL text, so
// the packages that store things do not care which; the few places that
// must differ ask Postgres.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vantage-net/vantage/controller/store/postgres"
	"github.com/vantage-net/vantage/controller/store/sqlite"
)

// Open opens the database named by target: a postgres:// (or
// postgresql://) URL, or else the path of a SQLite file. Either way the
// schema is migrated to the newest this build knows.
func Open(ctx context.Context, target string) (*sql.DB, error) {
	if postgres.IsURL(target) {
		return postgres.Open(ctx, target, postgres.Options{})
	}
	return sqlite.Open(ctx, target, sqlite.Options{})
}

// Postgres reports whether db is a PostgreSQL database opened by Open.
func Postgres(db *sql.DB) bool { return postgres.Is(db) }

// Describe names target for logs: the path, or the URL without its
// password.
func Describe(target string) string {
	if postgres.IsURL(target) {
		return postgres.Redact(target)
	}
	return target
}

// IsUnique reports whether err is a unique-constraint violation, on
// either backend (SQLite's "UNIQUE constraint failed", PostgreSQL's 23505).
func IsUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
