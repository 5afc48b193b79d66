package linehealth

import (
	"context"
	"fmt"
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

// TestPartitionKeepsItsIncidentIDBlock: a partition's next owner continues
// in the block of incident IDs the partition took on its first start,
// after the highest ID stored there, and takes no new block. (Every start
// took a new block of 2^32: IDs leave JSON's exact integers after 2^21
// starts, which a worker restarted every lease tick reaches in two months.)
func TestPartitionKeepsItsIncidentIDBlock(t *testing.T) {
	storetest.PostgresOnly(t)
	f := newFixtureWith(t, partitionInventory)
	ctx := context.Background()
	first, err := f.partitionMonitor(t, "p0", "ctl-a")
	if err != nil {
		t.Fatal(err)
	}
	a := []string{"A1", "A2"}
	for s := 0; s < 14; s++ {
		if err := f.partSecond(t, first, s, a, map[string]bool{"A1": s >= 10, "A2": s >= 10}); err != nil {
			t.Fatal(err)
		}
	}
	var id int64
	if err := f.db.QueryRowContext(ctx, `SELECT id FROM incidents`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	blocks := func() int64 {
		var n int64
		if err := f.db.QueryRowContext(ctx, `SELECT last_value FROM incident_id_blocks`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := blocks()
	for i := range 3 {
		next, err := f.partitionMonitor(t, "p0", fmt.Sprintf("ctl-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if got := next.grp.NextID(); got != id+1 {
			t.Errorf("start %d of p0: next incident ID %d, want %d (after %d, in the partition's block)", i+2, got, id+1, id)
		}
	}
	if after := blocks(); after != before {
		t.Errorf("three more starts of p0 took %d new blocks of incident IDs, want none", after-before)
	}
}
