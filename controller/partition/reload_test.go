package partition_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/partition"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testnats"
	"github.com/vantage-net/vantage/internal/testpg"
	"github.com/vantage-net/vantage/probes/result"
)

// countPoints is a PointWriter that only counts (the raw points are not
// what these tests look at); workers of one node call it concurrently.
type countPoints struct{ n atomic.Int64 }

func (c *countPoints) Write(_ context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	c.n.Add(int64(b.Len()))
	return nil, nil
}

// testNode is one controller's partition node, in process, with its own
// database connection, NATS connection and metrics registry.
type testNode struct {
	id   string
	node *partition.Node
	reg  *prometheus.Registry
	stop context.CancelFunc
	done chan error
}

// startNode runs a node of a cluster of n partitions on the database at
// dbURL and the NATS server js is connected to.
func startNode(t *testing.T, ctx context.Context, id, dbURL string, js jetstream.JetStream, n int) *testNode {
	t.Helper()
	return startNodeWith(t, ctx, id, dbURL, js, n, nil)
}

// startNodeWith is startNode with the node's options changed by set.
func startNodeWith(t *testing.T, ctx context.Context, id, dbURL string, js jetstream.JetStream, n int, set func(*partition.Options)) *testNode {
	t.Helper()
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	shp, err := shipper.New(ctx, shipper.Options{DB: db, Points: &countPoints{}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tn := &testNode{id: id, reg: prometheus.NewRegistry(), done: make(chan error, 1)}
	o := partition.Options{
		Leases: partition.LeaseOptions{ID: id, Partitions: n, Lease: 2 * time.Second},
		JS:     js, Points: &countPoints{}, Tick: 200 * time.Millisecond, AckWait: time.Minute,
		Health: linehealth.Options{DB: db, Inventory: inventory.NewSQLStore(db), Shipper: shp,
			Detector: linestate.Options{Horizon: 2 * time.Second}, SnapshotEvery: time.Hour},
	}
	if set != nil {
		set(&o)
	}
	tn.node, err = partition.NewNode(ctx, o, nil, tn.reg)
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	tn.stop = cancel
	go func() { tn.done <- tn.node.Run(rctx) }()
	t.Cleanup(func() { tn.halt(t) })
	return tn
}

// halt stops the node gracefully (its partitions handed over); again is a no-op.
func (tn *testNode) halt(t *testing.T) {
	if tn.stop == nil {
		return
	}
	tn.stop()
	tn.stop = nil
	if err := <-tn.done; err != nil {
		t.Errorf("node %s: %v", tn.id, err)
	}
}

// healthSeries lists the partition label of every line-health series the
// node exports (vantage_controller_health_lines{partition=…}).
func (tn *testNode) healthSeries(t *testing.T) map[string]float64 {
	t.Helper()
	mfs, err := tn.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "vantage_controller_health_lines" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "partition" {
					out[l.GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
	}
	return out
}

// reloadPoPs picks PoP names for a cluster of n partitions owned by
// ctl-a and ctl-b: popA and popB in different partitions, and popC in a
// third one, owned by ctl-b.
func reloadPoPs(t *testing.T, n int) (popA, popB, popC string) {
	t.Helper()
	members := []string{"ctl-a", "ctl-b"}
	popA, popB = "pop-a", "pop-b"
	for i := 0; partition.Of(popB, n) == partition.Of(popA, n); i++ {
		popB = fmt.Sprintf("pop-b%d", i)
	}
	for i := 0; i < 1000; i++ {
		c := fmt.Sprintf("pop-c%d", i)
		p := partition.Of(c, n)
		if p != partition.Of(popA, n) && p != partition.Of(popB, n) && partition.DesiredOwner(p, members) == "ctl-b" {
			return popA, popB, c
		}
	}
	t.Fatal("no PoP name for a third partition owned by ctl-b")
	return
}

func writeInventory(t *testing.T, yaml string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestInventoryChangeReachesEveryController: two controllers' nodes share
// a PostgreSQL database and a NATS server. An inventory import (the
// `inventory import` command's code, against the shared database) adds a
// PoP with a new agent and line, adds a line to a known agent, and moves a
// line from one PoP to a PoP of another partition. Without a restart,
// every partition's line health must take the evidence of the new and
// moved lines, in the partition of their PoP, on whichever controller
// owns it: the journal of that partition holds it. Then one controller
// stops: its partitions' line-health series leave its metrics and appear
// on the other.
func TestInventoryChangeReachesEveryController(t *testing.T) {
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
  - {id: %[1]s, kind: pop, name: A, agent: ag-a}
  - {id: %[2]s, kind: pop, name: B, agent: ag-b}
lines:
  - {circuit_id: LA1, customer: C1, upstream_element: %[1]s}
  - {circuit_id: LB1, customer: C1, upstream_element: %[2]s}
  - {circuit_id: LB2, customer: C1, upstream_element: %[2]s}
`, popA, popB)
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
	nodes := map[string]*testNode{}
	for _, id := range []string{"ctl-a", "ctl-b"} {
		jsN, err := jetstream.New(testnats.Connect(t, srv))
		if err != nil {
			t.Fatal(err)
		}
		nodes[id] = startNode(t, ctx, id, dbURL, jsN, n)
	}
	members := []string{"ctl-a", "ctl-b"}
	owner := func(pop string) string { return partition.DesiredOwner(partition.Of(pop, n), members) }
	// Every partition owned by its desired owner, with its Monitor running.
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		for id, tn := range nodes {
			st, err := tn.node.Status(ctx)
			if err != nil {
				return err
			}
			for p := 0; p < n; p++ {
				want := partition.DesiredOwner(p, members)
				if want == id && !contains(st.Held, p) {
					return fmt.Errorf("%s holds %v, not yet %d", id, st.Held, p)
				}
			}
			if got := len(tn.healthSeries(t)); got != len(st.Held) {
				return fmt.Errorf("%s: line health of %d partitions exported, holds %d", id, got, len(st.Held))
			}
		}
		return nil
	})

	// The change: a new PoP with its agent and line, a new line of a
	// known agent, a line moved to the new PoP (another partition).
	v2 := v1 + fmt.Sprintf(`  - {circuit_id: LA2, customer: C1, upstream_element: %[1]s}
  - {circuit_id: LC1, customer: C1, upstream_element: %[2]s}
  - {circuit_id: LB1, customer: C1, upstream_element: %[2]s}
  - {circuit_id: LA3, customer: C1, upstream_element: %[1]s-r}
  - {circuit_id: LA4, customer: C1, upstream_element: %[1]s-r}
`, popA, popC)
	v2 = strings.Replace(v2, "  - {circuit_id: LB1, customer: C1, upstream_element: "+popB+"}\n", "", 1)
	// ag-b also watches a router under popA now, two lines to popB's
	// one: it is homed in popA's partition (another controller's).
	v2 = strings.Replace(v2, "lines:\n", fmt.Sprintf("  - {id: %s, kind: pop, name: C, agent: ag-c}\n  - {id: %s-r, parent: %s, kind: router, name: R, agent: ag-b}\nlines:\n",
		popC, popA, popA), 1)
	if err := inventory.ImportFiles(ctx, dbURL, []string{writeInventory(t, v2)}, io.Discard, inventory.FileOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("PoPs: %s p%d (%s), %s p%d (%s), new %s p%d (%s)", popA, partition.Of(popA, n), owner(popA),
		popB, partition.Of(popB, n), owner(popB), popC, partition.Of(popC, n), owner(popC))

	// Results for the new and moved lines, from their agents, published
	// until each partition's journal holds them.
	want := map[string]string{ // line → partition whose journal must hold its evidence
		"LA2": partition.PartitionName(partition.Of(popA, n)),
		"LC1": partition.PartitionName(partition.Of(popC, n)),
		"LB1": partition.PartitionName(partition.Of(popC, n)),
		"LA3": partition.PartitionName(partition.Of(popA, n)),
	}
	db, err := sqldb.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		publishPing(t, ctx, js, "ag-a", "LA2")
		publishPing(t, ctx, js, "ag-c", "LC1", "LB1")
		publishPing(t, ctx, js, "ag-b", "LA3")
		got, err := journalParts(ctx, db)
		if err != nil {
			return err
		}
		for line, part := range want {
			if !got[line][part] {
				return fmt.Errorf("line %s: evidence journaled by partitions %v, want %s", line, got[line], part)
			}
		}
		return nil
	})
	got, err := journalParts(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for line, parts := range got {
		if line == "LB1" && len(parts) != 1 {
			t.Errorf("moved line LB1 journaled by %v, want only its new partition", parts)
		}
	}
	if home, _ := nodes["ctl-a"].node.Map().Home("ag-b"); home != partition.Of(popA, n) || owner(popA) == owner(popB) {
		t.Fatalf("ag-b homed in %d, want %d on another controller than its old partition's", home, partition.Of(popA, n))
	}
	if moves := counterValue(t, nodes[owner(popB)].reg, "vantage_controller_partition_moves_total", "change", "remapped"); moves < 1 {
		t.Errorf("%s: %v partitions restarted for the moved line, want popB's", owner(popB), moves)
	}
	t.Logf("consumers refused while the other controller still filtered a moved agent: ctl-a %v, ctl-b %v",
		counterValue(t, nodes["ctl-a"].reg, "vantage_controller_partition_consumer_refused_total", "", ""),
		counterValue(t, nodes["ctl-b"].reg, "vantage_controller_partition_consumer_refused_total", "", ""))
	if owner(popC) != "ctl-b" {
		t.Fatalf("the new PoP's partition is owned by %s: the test must show ctl-b picking the change up", owner(popC))
	}

	// ctl-b leaves: its partitions' line-health series go from its
	// metrics and appear on ctl-a, which now owns every partition.
	nodes["ctl-b"].halt(t)
	if s := nodes["ctl-b"].healthSeries(t); len(s) != 0 {
		t.Errorf("ctl-b stopped: still exports line health of partitions %v", s)
	}
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		s := nodes["ctl-a"].healthSeries(t)
		if len(s) != n {
			return fmt.Errorf("ctl-a exports line health of partitions %v, want all %d", s, n)
		}
		return nil
	})
}

// counterValue is the value of a counter's series whose label has value
// (the first series with label "").
func counterValue(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label == "" {
				return m.GetCounter().GetValue()
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// publishPing publishes one successful ping round per line from agent.
func publishPing(t *testing.T, ctx context.Context, js jetstream.JetStream, agent string, lines ...string) {
	t.Helper()
	b := result.Batch{Agent: agent}
	now := time.Now()
	for _, l := range lines {
		b.Results = append(b.Results, result.Result{Time: now, Measurement: "ping", Probe: "ping",
			Tags:   map[string]string{"target": "198.18.0.1", "line": l},
			Fields: map[string]float64{"sent": 3, "recv": 3, "loss_pct": 0, "rtt_min_ms": 1, "rtt_avg_ms": 1, "rtt_max_ms": 1, "jitter_ms": 0}})
	}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, partition.ResultsSubjectPrefix+agent, data); err != nil {
		t.Fatal(err)
	}
}

// journalParts reads, per line, the partitions whose journal holds
// evidence of it.
func journalParts(ctx context.Context, db *sql.DB) (map[string]map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT part, evidence FROM linestate_journal`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var part, raw string
		if err := rows.Scan(&part, &raw); err != nil {
			return nil, err
		}
		var evs []linestate.Evidence
		if err := json.Unmarshal([]byte(raw), &evs); err != nil {
			return nil, err
		}
		for _, ev := range evs {
			if out[ev.Line] == nil {
				out[ev.Line] = map[string]bool{}
			}
			out[ev.Line][part] = true
		}
	}
	return out, rows.Err()
}
