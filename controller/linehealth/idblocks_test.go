package linehealth

import (
	"context"
	"testing"

	"github.com/vantage-net/vantage/controller/store/storetest"
)

// Two controllers on one PostgreSQL database open incidents at the same
// time: each takes IDs from its own block, so both incidents are stored
// (with max(id)+1 both were incident 1, and the second overwrote the
// first, taking its notifications' idempotency keys with it).
func TestTwoControllersIncidentIDsDistinct(t *testing.T) {
	storetest.PostgresOnly(t)
	f := newFixture(t)
	m1, m2 := f.monitor(t), f.monitor(t)
	f.feed(t, m1, 0, 8, map[string]bool{"L1": true}, 3, 100)
	f.feed(t, m2, 0, 8, map[string]bool{"L9": true}, 3, 100)
	rows, err := f.db.QueryContext(context.Background(), `SELECT DISTINCT incident_id, circuit_id FROM incident_lines ORDER BY circuit_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := map[int64]string{}
	lines := 0
	for rows.Next() {
		var id int64
		var line string
		if err := rows.Scan(&id, &line); err != nil {
			t.Fatal(err)
		}
		lines++
		if other, dup := ids[id]; dup && other != line {
			t.Fatalf("incident %d holds %s of one controller and %s of the other", id, other, line)
		}
		ids[id] = line
	}
	if lines != 2 || len(ids) != 2 {
		t.Fatalf("stored incidents %v, want one for L1 and one for L9 with distinct IDs", ids)
	}
}
