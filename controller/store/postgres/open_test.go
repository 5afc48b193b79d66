package postgres

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"

	"github.com/vantage-net/vantage/internal/testpg"
)

// Two controllers starting at once on an empty database: one migrates
// under the lock, the other finds every step applied; both work.
func TestOpenMigratesOnceWithTwoControllers(t *testing.T) {
	c := testpg.StartOrSkip(t)
	ctx := context.Background()
	_, url, err := c.CreateDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	dbs := make([]*sql.DB, 2)
	errs := make([]error, 2)
	for i := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = Open(ctx, url, Options{})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("controller %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	ms, _ := Migrations()
	var n int
	if err := dbs[1].QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
		t.Fatalf("schema_migrations has %d rows (%v), want %d", n, err, len(ms))
	}
	if !Is(dbs[0]) {
		t.Fatal("Is: a database opened here is not recognised")
	}
}

// The SQL the packages write for SQLite runs as is: ? placeholders, bools
// as 0/1, json_each over an array parameter or column, json_extract.
func TestSQLiteTextRunsOnPostgres(t *testing.T) {
	c := testpg.StartOrSkip(t)
	ctx := context.Background()
	_, url, err := c.CreateDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO customers (id, name, tier) VALUES (?, ?, ?), (?, ?, ?)`,
		"C1", "it's ?", "gold", "C2", "two", "silver"); err != nil {
		t.Fatal(err)
	}
	var names []string
	rows, err := db.QueryContext(ctx, `SELECT name FROM customers WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, `["C1","C2","C9"]`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		names = append(names, s)
	}
	if rows.Close(); strings.Join(names, "|") != "it's ?|two" {
		t.Fatalf("json_each(?) found %q", names)
	}
	var id int64
	if err := db.QueryRowContext(ctx, `INSERT INTO notify_outbox (key, incident_id, kind, urgent, channel, recipient, status,
		due_at, next_attempt_at, incident_start, created_at, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		"k1", 7, "outage_start", true, "email", "a@example.net", "pending", 1, 1, 1, 1, "m1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	var urgent int
	if err := db.QueryRowContext(ctx, `SELECT urgent FROM notify_outbox WHERE id = ?1 AND urgent = ?2`, id, true).Scan(&urgent); err != nil || urgent != 1 {
		t.Fatalf("bool argument: urgent %d, %v", urgent, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO notify_incidents (incident_id, facts, updated_at) VALUES (?, ?, ?)`,
		8, `{"merged_into": 7, "lines": [{"line": "L1"}]}`, 1); err != nil {
		t.Fatal(err)
	}
	var got int64
	if err := db.QueryRowContext(ctx, `SELECT incident_id FROM notify_incidents WHERE CAST(json_extract(facts, '$.merged_into') AS INTEGER) = ?`, 7).Scan(&got); err != nil || got != 8 {
		t.Fatalf("json_extract: %d, %v", got, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM notify_incidents n, json_each(json_extract(n.facts, '$.lines')) j
		WHERE json_extract(j.value, '$.line') = ?`, "L1").Scan(&got); err != nil || got != 1 {
		t.Fatalf("json_each over a column: %d, %v", got, err)
	}
}
