package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
)

// Steps developed side by side land out of number order; a database that
// took the higher one first must still get the lower one.
func TestMigrateAppliesAMissingLowerStep(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	step := func(v int, table string) Migration {
		return Migration{Version: v, Name: table, SQL: "CREATE TABLE " + table + " (x INTEGER)"}
	}
	first := []Migration{step(1, "a"), step(21, "c")}
	if got, err := migrate(ctx, db, first); err != nil || !reflect.DeepEqual(got, []int{1, 21}) {
		t.Fatalf("first run applied %v, %v", got, err)
	}
	later := []Migration{step(1, "a"), step(13, "b"), step(21, "c")}
	if got, err := migrate(ctx, db, later); err != nil || !reflect.DeepEqual(got, []int{13}) {
		t.Fatalf("second run applied %v, %v; want [13]", got, err)
	}
	if _, err := db.Exec("INSERT INTO b(x) VALUES (1)"); err != nil {
		t.Fatalf("step 13 was not applied: %v", err)
	}
	if _, err := migrate(ctx, db, first); err == nil {
		t.Fatal("a build that does not know step 13 used the database")
	}
}
