package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// connector hands out pgx connections wrapped in conn.
type connector struct{ inner driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{dc.(*stdlib.Conn)}, nil
}

func (c connector) Driver() driver.Driver { return Driver{} }

// Driver is the "vantage-postgres" database/sql driver: pgx's, with
// SQLite's placeholders rebound (Rebind) and bools sent as 0/1. Is tells a
// *sql.DB opened with it.
type Driver struct{}

// Open is database/sql's entry for a name; Open (the package function) is
// the one the controller uses.
func (Driver) Open(name string) (driver.Conn, error) {
	cfg, err := pgx.ParseConfig(name)
	if err != nil {
		return nil, err
	}
	return connector{stdlib.GetConnector(*cfg)}.Connect(context.Background())
}

// Is reports whether db was opened by this package.
func Is(db *sql.DB) bool {
	_, ok := db.Driver().(Driver)
	return ok
}

// conn rebinds every statement's text on its way to pgx.
type conn struct{ c *stdlib.Conn }

var (
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) { return c.c.Prepare(Rebind(query)) }

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.c.PrepareContext(ctx, Rebind(query))
}

func (c *conn) Close() error { return c.c.Close() }

func (c *conn) Begin() (driver.Tx, error) { return c.c.Begin() } //nolint:staticcheck // driver.Conn requires it

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.c.BeginTx(ctx, opts)
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.c.ExecContext(ctx, Rebind(query), args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.c.QueryContext(ctx, Rebind(query), args)
}

func (c *conn) Ping(ctx context.Context) error { return c.c.Ping(ctx) }

// CheckNamedValue sends a bool as 0/1: the schema keeps SQLite's INTEGER
// flags (urgent, weak, final) so one SQL text compares them with 0 and 1
// on both backends.
func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
	}
	return c.c.CheckNamedValue(nv)
}

func (c *conn) ResetSession(ctx context.Context) error { return c.c.ResetSession(ctx) }
