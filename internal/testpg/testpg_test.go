package testpg

import (
	"context"
	"database/sql"
	"errors"
	"os"
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

// StartDurable runs with PostgreSQL's durable defaults, Start without them:
// a benchmark of write cost on StartDurable measures what production pays.
func TestStartDurableKeepsDurability(t *testing.T) {
	for _, tc := range []struct {
		start func() (*Cluster, error)
		want  string
	}{{Start, "off"}, {StartDurable, "on"}} {
		c, err := tc.start()
		if errors.Is(err, ErrMissing) && os.Getenv("VANTAGE_REQUIRE_LAB") != "1" {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("pgx", c.AdminURL())
		if err != nil {
			c.Stop()
			t.Fatal(err)
		}
		for _, name := range []string{"fsync", "full_page_writes", "synchronous_commit"} {
			var v string
			if err := db.QueryRowContext(context.Background(), "SHOW "+name).Scan(&v); err != nil {
				t.Error(err)
			} else if v != tc.want {
				t.Errorf("%s = %s, want %s", name, v, tc.want)
			}
		}
		db.Close()
		c.Stop()
	}
}
