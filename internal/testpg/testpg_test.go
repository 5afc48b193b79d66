package testpg

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// The cluster answers on its URL with a password, gives each test a fresh
// database, and leaves nothing behind.
func TestClusterStartsAndStops(t *testing.T) {
	c := StartOrSkip(t)
	ctx := context.Background()
	_, url, err := c.CreateDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	wrong := strings.Replace(url, c.Password(), "wrong", 1)
	bad, _ := sql.Open("pgx", wrong)
	defer bad.Close()
	if err := bad.PingContext(ctx); err == nil {
		t.Fatal("a wrong password was accepted: the cluster must not trust loopback")
	}
	t.Logf("PostgreSQL %s at %s", v, strings.Replace(url, c.Password(), "xxxxx", 1))
}
