package partition_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/partition"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testnats"
	"github.com/vantage-net/vantage/internal/testpg"
	"github.com/vantage-net/vantage/probes/result"
)

// TestMovedLineIncidentCloses: a line is down, its outage open in its
// partition, when an import moves it to a PoP of another partition.
// The old partition closes the incident, noting where the line went
// (before, neither partition restored it and it stayed open for ever);
// the new partition watches the line afresh: still down there, it opens
// a new incident of its own. A line deleted from the inventory by hand
// in SQL while down (an import never deletes) has its incident closed the
// same way at the next resync. On PostgreSQL, one controller's node.
func TestMovedLineIncidentCloses(t *testing.T) {
	pg := testpg.StartOrSkip(t)
	ctx := lab.Deadline(t, 3*time.Minute)
	_, dbURL, err := pg.CreateDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	popA, popB, popC := reloadPoPs(t, n)
	v1 := fmt.Sprintf(`customers:
  - {id: C1, name: One, tier: gold}
elements:
  - {id: %[1]s, kind: pop, name: B, agent: ag-b}
  - {id: %[2]s, kind: pop, name: C, agent: ag-c}
  - {id: %[3]s, kind: pop, name: A, agent: ag-a}
lines:
  - {circuit_id: LB1, customer: C1, upstream_element: %[1]s}
  - {circuit_id: LC1, customer: C1, upstream_element: %[2]s}
  - {circuit_id: LA1, customer: C1, upstream_element: %[3]s}
  - {circuit_id: LA2, customer: C1, upstream_element: %[3]s}
`, popB, popC, popA)
	if err := inventory.ImportFiles(ctx, dbURL, []string{writeInventory(t, v1)}, io.Discard, inventory.FileOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := testnats.StartJetStream(t)
	js, err := jetstream.New(testnats.Connect(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "VANTAGE_RESULTS", Subjects: []string{partition.ResultsSubjectPrefix + ">"},
		Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	jsN, err := jetstream.New(testnats.Connect(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	// The resync (a whole re-read although the version did not move)
	// every 3 s: the hand deletion below is found by it.
	startNodeWith(t, ctx, "ctl-a", dbURL, jsN, n, func(o *partition.Options) { o.InventoryResync = 3 * time.Second })
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// LB1 goes down in popB's partition, LA1 in popA's: open incidents.
	openOn := func(line string) int64 {
		ins, err := lineIncidents(ctx, db, line)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range ins {
			if in.Open() {
				return in.ID
			}
		}
		return 0
	}
	var first, removed int64
	lab.WaitFor(t, ctx, 300*time.Millisecond, func() error {
		publishLoss(t, ctx, js, "ag-b", "LB1")
		publishLoss(t, ctx, js, "ag-a", "LA1")
		publishPing(t, ctx, js, "ag-a", "LA2")
		if first, removed = openOn("LB1"), openOn("LA1"); first == 0 || removed == 0 {
			return fmt.Errorf("open incidents: LB1 %d, LA1 %d", first, removed)
		}
		return nil
	})

	// The import moves LB1 under popC, ag-c's PoP, another partition.
	v2 := strings.Replace(v1, "{circuit_id: LB1, customer: C1, upstream_element: "+popB+"}",
		"{circuit_id: LB1, customer: C1, upstream_element: "+popC+"}", 1)
	if err := inventory.ImportFiles(ctx, dbURL, []string{writeInventory(t, v2)}, io.Discard, inventory.FileOptions{}); err != nil {
		t.Fatal(err)
	}
	// LA1 is deleted by hand (no version bump).
	if _, err := db.ExecContext(ctx, `DELETE FROM lines WHERE circuit_id = 'LA1'`); err != nil {
		t.Fatal(err)
	}
	lab.WaitFor(t, ctx, 300*time.Millisecond, func() error {
		ins, err := lineIncidents(ctx, db, "LB1")
		if err != nil {
			return err
		}
		for _, in := range ins {
			if in.ID == first && in.Open() {
				return fmt.Errorf("incident %d on the moved line LB1 still open", first)
			}
		}
		if id := openOn("LA1"); id != 0 {
			return fmt.Errorf("incident %d on the removed line LA1 still open", id)
		}
		return nil
	})
	if ins, err := lineIncidents(ctx, db, "LA1"); err != nil {
		t.Fatal(err)
	} else if tl := ins[len(ins)-1].Timeline; len(tl) < 2 || tl[len(tl)-2].Note != "line removed from the inventory" {
		t.Errorf("removed line's incident timeline %+v: want its moved entry to say it was removed", tl)
	}
	ins, err := lineIncidents(ctx, db, "LB1")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		if in.ID != first {
			continue
		}
		m := in.Members[0]
		wantNote := "line moved to partition " + partition.PartitionName(partition.Of(popC, n))
		var moved bool
		for _, e := range in.Timeline {
			moved = moved || e.What == "moved" && strings.HasPrefix(e.Note, wantNote)
		}
		if !moved || m.Moved.IsZero() || !m.Up.IsZero() {
			t.Errorf("closed incident %d: member %+v, timeline %+v: want a moved entry %q, Moved set, no Up", first, m, in.Timeline, wantNote)
		}
	}

	// Still down, heard from its new agent: a new incident, in the new partition.
	lab.WaitFor(t, ctx, 300*time.Millisecond, func() error {
		publishLoss(t, ctx, js, "ag-c", "LB1")
		ins, err := lineIncidents(ctx, db, "LB1")
		if err != nil {
			return err
		}
		for _, in := range ins {
			if in.ID != first && in.Open() {
				return nil
			}
		}
		return fmt.Errorf("no new incident on LB1 in its new partition yet")
	})
}

// publishLoss publishes one ping round per line from agent, every probe lost.
func publishLoss(t *testing.T, ctx context.Context, js jetstream.JetStream, agent string, lines ...string) {
	t.Helper()
	b := result.Batch{Agent: agent}
	now := time.Now()
	for _, l := range lines {
		b.Results = append(b.Results, result.Result{Time: now, Measurement: "ping", Probe: "ping",
			Tags:   map[string]string{"target": "198.18.0.1", "line": l},
			Fields: map[string]float64{"sent": 3, "recv": 0, "loss_pct": 100}})
	}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, partition.ResultsSubjectPrefix+agent, data); err != nil {
		t.Fatal(err)
	}
}

// lineIncidents reads the stored incidents that have line as a member.
func lineIncidents(ctx context.Context, db *sql.DB, line string) ([]incident.Incident, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, ended_at, lines, timeline FROM incidents ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incident.Incident
	for rows.Next() {
		var in incident.Incident
		var ended sql.NullInt64
		var members, timeline string
		if err := rows.Scan(&in.ID, &ended, &members, &timeline); err != nil {
			return nil, err
		}
		if ended.Valid {
			in.End = time.UnixMilli(ended.Int64)
		}
		if err := json.Unmarshal([]byte(members), &in.Members); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(timeline), &in.Timeline); err != nil {
			return nil, err
		}
		for _, m := range in.Members {
			if m.Line == line {
				out = append(out, in)
				break
			}
		}
	}
	return out, rows.Err()
}
