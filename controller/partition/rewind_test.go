package partition

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

type pointCount struct{ n int }

func (p *pointCount) Write(_ context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	p.n += b.Len()
	return nil, nil
}

type eventList struct{ evs []linestate.Event }

func (e *eventList) Record(_ context.Context, evs []linestate.Event) error {
	e.evs = append(e.evs, evs...)
	return nil
}

// TestMissingDeliveryRewinds: a message the server delivered on a
// connection that then died (here: fetched and dropped, as in flight)
// leaves a gap in the consumer's delivery sequence. The worker must go
// back to its last snapshot and take the message again at once, in
// order, not apply what follows it and meet it again after the ack wait
// (when it is too late for the detector and below the snapshot's floor).
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
	h, err := OpenHandover(ctx, js, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	points, events := &pointCount{}, &eventList{}
	w := &worker{m: m, log: slog.New(slog.DiscardHandler), o: WorkerOptions{Partition: 0, Owner: "ctl-a", JS: js, Stream: "VANTAGE_RESULTS", Handover: h,
		Map: NewMap(1, map[string]string{"L1": "pop-1"}, map[string][]string{"a1": {"L1"}}, nil), Events: events, Points: points,
		Tick: 200 * time.Millisecond, FetchBatch: 10, AckWait: time.Minute, Holds: func() bool { return true }, Now: time.Now}}
	if err := w.restore(ctx); err != nil {
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
	for i := 0; i < 3 && w.last < 3; i++ {
		if err := w.pull(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if st := w.det.Stats(); w.last != 3 || st.Accepted != 3 || len(w.held) != 3 {
		t.Errorf("after the gap: applied through stream seq %d, %d evidence accepted, %d messages held; want 3, 3, 3", w.last, st.Accepted, len(w.held))
	}
	if n := testutil.ToFloat64(m.rewinds); n != 1 {
		t.Errorf("%v rewinds, want 1", n)
	}
	if err := w.flush(ctx); err != nil || points.n != 3 {
		t.Errorf("flush: %v, %d points written, want 3", err, points.n)
	}
}
