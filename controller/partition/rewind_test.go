package partition

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

type pointCount struct{ n int }

func (p *pointCount) Write(_ context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	p.n += b.Len()
	return nil, nil
}

// healthOptions is a partition Monitor's template on a SQLite file
// holding inventoryYAML.
func healthOptions(t *testing.T, inventoryYAML string) linehealth.Options {
	t.Helper()
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "inv.yaml")
	if err := os.WriteFile(file, []byte(inventoryYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, db, err := inventory.Open(ctx, filepath.Join(t.TempDir(), "vantage.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	set, err := inventory.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inv.Import(ctx, set, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	shp, err := shipper.New(ctx, shipper.Options{DB: db, Points: &pointCount{}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return linehealth.Options{DB: db, Inventory: inv, Shipper: shp, Detector: linestate.Options{Horizon: 5 * time.Second}}
}

// journaled counts the evidence in partition p0's journal.
func journaled(t *testing.T, o linehealth.Options) int {
	t.Helper()
	rows, err := o.DB.Query(`SELECT evidence FROM linestate_journal WHERE part = 'p0'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var raw string
		var evs []linestate.Evidence
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &evs); err != nil {
			t.Fatal(err)
		}
		n += len(evs)
	}
	return n
}

const rewindInventory = `customers:
  - {id: C1, name: One, tier: gold}
elements:
  - {id: pop-1, kind: pop, name: PoP, agent: a1}
lines:
  - {circuit_id: L1, customer: C1, upstream_element: pop-1}
`

// TestMissingDeliveryRewinds: a message the server delivered on a
// connection that then died (here: fetched and dropped, as in flight)
// leaves a gap in the consumer's delivery sequence. The worker must go
// recreate its consumer and take the message again at once, in order,
// not apply what follows it and meet it again after the ack wait (when it
// is too late for the detector).
func TestMissingDeliveryRewinds(t *testing.T) {
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	defer s.Shutdown()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "VANTAGE_RESULTS", Subjects: []string{ResultsSubjectPrefix + ">"},
		Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_800_000_000, 0)
	for i := 0; i < 3; i++ {
		b := result.Batch{Agent: "a1", Results: []result.Result{{Time: t0.Add(time.Duration(i) * time.Second), Measurement: "ping", Probe: "ping",
			Tags:   map[string]string{"target": "198.18.0.1", "line": "L1"},
			Fields: map[string]float64{"sent": 3, "recv": 3, "loss_pct": 0, "rtt_min_ms": 1, "rtt_avg_ms": 1, "rtt_max_ms": 1, "jitter_ms": 0}}}}
		data, _ := json.Marshal(b)
		if _, err := js.Publish(ctx, ResultsSubjectPrefix+"a1", data); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	points := &pointCount{}
	health := healthOptions(t, rewindInventory)
	health.Now = func() time.Time { return t0 }
	w := &worker{m: m, log: slog.New(slog.DiscardHandler), o: WorkerOptions{Partition: 0, Owner: "ctl-a", JS: js, Stream: "VANTAGE_RESULTS",
		Map: NewMap(1, map[string]string{"L1": "pop-1"}, map[string][]string{"a1": {"L1"}}, nil), Points: points,
		Tick: 200 * time.Millisecond, FetchBatch: 10, AckWait: time.Minute, Holds: func() bool { return true }, Now: time.Now}}
	health.Partition = &linehealth.Partition{Name: PartitionName(0), Owner: "ctl-a", Owns: func(string) bool { return true }}
	if w.mon, err = linehealth.New(ctx, health, nil, nil); err != nil {
		t.Fatal(err)
	}
	if w.cons, err = w.recreateConsumer(ctx); err != nil {
		t.Fatal(err)
	}
	// Delivery 1 is lost in flight.
	lost, err := w.cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for range lost.Messages() {
	}
	for i := 0; i < 3 && len(w.held) < 3; i++ {
		if err := w.pull(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var seqs []uint64
	for _, msg := range w.held {
		meta, _ := msg.Metadata()
		seqs = append(seqs, meta.Sequence.Stream)
	}
	if len(seqs) != 3 || seqs[0] != 1 || seqs[1] != 2 || seqs[2] != 3 {
		t.Errorf("after the gap: applied stream seqs %v, want [1 2 3]", seqs)
	}
	if n := testutil.ToFloat64(m.rewinds); n != 1 {
		t.Errorf("%v rewinds, want 1", n)
	}
	if err := w.flush(ctx); err != nil || points.n != 3 {
		t.Errorf("flush: %v, %d points written, want 3", err, points.n)
	}
	// Committed before acked: the journal holds all three in one row.
	if n := journaled(t, health); n != 3 {
		t.Errorf("%d evidence committed, want 3", n)
	}
}
