package partition

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testnats"
	"github.com/vantage-net/vantage/probes/result"
)

// TestTakeoverPlacesBacklogByArrival: a partition's new owner whose
// clock is a minute past the results waiting for it (a handover, or a
// consumer cut off while a NATS server stops, that long; the horizon is
// 5 s) places them exactly, because they reached the stream on time. The
// worker reports its consumer's progress and the detector's clock waits
// for it. Before, the Monitor's first tick sealed to the wall clock minus
// the horizon before the first pull, and the whole backlog was refused
// as too late: the flap below was lost (in cluster mode's short form, an
// outage was stamped 3 s late).
func TestTakeoverPlacesBacklogByArrival(t *testing.T) {
	s := testnats.Start(t, server.Options{JetStream: true, StoreDir: t.TempDir()})
	js, err := jetstream.New(testnats.Connect(t, s))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "VANTAGE_RESULTS", Subjects: []string{ResultsSubjectPrefix + ">"},
		Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	// Twenty one-second rounds of L1, failing in rounds 5–9, stamped
	// from two seconds before they are published (on time).
	t0 := time.Now().Add(-2 * time.Second).Truncate(time.Second)
	for i := 0; i < 20; i++ {
		recv := 3.0
		if i >= 5 && i < 10 {
			recv = 0
		}
		b := result.Batch{Agent: "a1", Results: []result.Result{{Time: t0.Add(time.Duration(i) * time.Second), Measurement: "ping", Probe: "ping",
			Tags:   map[string]string{"target": "198.18.0.1", "line": "L1"},
			Fields: map[string]float64{"sent": 3, "recv": recv, "loss_pct": 100 - recv/3*100, "rtt_avg_ms": 1}}}}
		data, _ := json.Marshal(b)
		if _, err := js.Publish(ctx, ResultsSubjectPrefix+"a1", data); err != nil {
			t.Fatal(err)
		}
	}
	late := func() time.Time { return time.Now().Add(time.Minute) } // the new owner's clock: a minute on
	health := healthOptions(t, rewindInventory)
	health.Now, health.Tick = late, 20*time.Millisecond
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- runWorker(wctx, WorkerOptions{Partition: 0, Owner: "ctl-c", JS: js, Stream: "VANTAGE_RESULTS",
			Map: NewMap(1, map[string]string{"L1": "pop-1"}, map[string][]string{"a1": {"L1"}}, nil), Points: &pointCount{},
			Health: health, Tick: 100 * time.Millisecond, FetchBatch: 5, AckWait: time.Minute,
			Holds: func() bool { return true }, Now: late}, slog.New(slog.DiscardHandler), newMetrics(prometheus.NewRegistry()))
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	lab.WaitFor(t, ctx, 50*time.Millisecond, func() error {
		var kind string
		var start, end int64
		err := health.DB.QueryRow(`SELECT kind, started_at, ended_at FROM line_events WHERE circuit_id = 'L1' AND final = 1`).Scan(&kind, &start, &end)
		if err != nil {
			return fmt.Errorf("L1's final event: %w", err)
		}
		if got, want := fmt.Sprintf("%s %d–%d", kind, start-t0.UnixMilli(), end-t0.UnixMilli()), "flap 5000–10000"; got != want {
			t.Fatalf("L1's final event %s ms after the first round, want %s", got, want)
		}
		return nil
	})
}
