package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// IsURL reports whether s names a PostgreSQL server rather than a SQLite
// file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Options tunes Open. The zero value is what the controller uses.
type Options struct {
	// MaxConns caps the pool (default 16): several controllers share one
	// server, whose max_connections (100 by default) they must not exhaust.
	MaxConns int
	// NoMigrate opens without bringing the schema up to date.
	NoMigrate bool
}

// Open connects to the server named by url (postgres://user:pass@host/db)
// and migrates the schema to the newest this build knows. Errors never
// carry the password: they name the URL redacted.
func Open(ctx context.Context, url string, opts Options) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's parse errors may quote the URL; name it redacted instead.
		return nil, fmt.Errorf("postgres: %s: not a valid connection URL", Redact(url))
	}
	db := sql.OpenDB(connector{stdlib.GetConnector(*cfg)})
	n := opts.MaxConns
	if n <= 0 {
		n = 16
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect %s: %w", Redact(url), scrub(err, cfg.Password))
	}
	if !opts.NoMigrate {
		if _, err := Migrate(ctx, db); err != nil {
			db.Close()
			return nil, fmt.Errorf("postgres: %s: %w", Redact(url), err)
		}
	}
	return db, nil
}

// scrub replaces the password wherever an error repeats it.
func scrub(err error, password string) error {
	if password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), password, "xxxxx"))
}
