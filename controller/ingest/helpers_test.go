package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/testnats"
	"github.com/vantage-net/vantage/probes/result"
)

// t0 is the tests' "now": results sit just before it, the injected clock
// reads it.
var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// startNATS runs an in-process nats-server with JetStream on a random port
// and connects to it.
func startNATS(t *testing.T) *nats.Conn {
	t.Helper()
	return testnats.Connect(t, testnats.StartJetStream(t))
}

// harness is one ingest between a real JetStream and a real InfluxDB.
type harness struct {
	t      *testing.T
	ctx    context.Context
	nc     *nats.Conn
	js     jetstream.JetStream
	influx *testinflux.Server
	writer *influx.Writer
	in     *Ingester
	stop   func() // cancels Run and waits for it to return
	cancel func() // cancels Run without waiting
}

func newHarness(t *testing.T, opts Options, sinks ...Sink) *harness {
	t.Helper()
	return newHarnessWith(t, opts, nil, sinks...)
}

// newHarnessWith runs the ingest into store, or into a real InfluxDB
// (h.influx, h.writer) when store is nil.
func newHarnessWith(t *testing.T, opts Options, store Store, sinks ...Sink) *harness {
	t.Helper()
	h := &harness{t: t, ctx: lab.Deadline(t, 2*time.Minute), nc: startNATS(t)}
	js, err := jetstream.New(h.nc)
	if err != nil {
		t.Fatal(err)
	}
	h.js = js
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if store == nil {
		h.influx = testinflux.Start(t)
		h.writer, err = influx.New(influx.Options{
			URL: h.influx.URL, Bucket: h.influx.Bucket, Token: h.influx.Token,
			MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond, UnhealthyAfter: 500 * time.Millisecond,
		}, log, prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(h.writer.Close)
		store = h.writer
	}
	if opts.FetchMaxWait == 0 {
		opts.FetchMaxWait = 100 * time.Millisecond
	}
	if opts.FetchBatch == 0 {
		opts.FetchBatch = 20
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0 }
	}
	opts.SinkRetryDelay = 100 * time.Millisecond
	if opts.RetryDelay == 0 {
		opts.RetryDelay, opts.MaxRetryDelay = 50*time.Millisecond, 400*time.Millisecond
	}
	h.in, err = New(h.nc, store, opts, log, prometheus.NewRegistry(), sinks...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- h.in.Run(ctx) }()
	h.cancel = cancel
	h.stop = func() {
		cancel()
		select {
		case err := <-ran:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after its context ended")
		}
		h.stop = func() {}
	}
	t.Cleanup(func() { h.stop() })
	lab.WaitFor(t, h.ctx, 20*time.Millisecond, h.in.Healthy)
	return h
}

// publish sends one message to the results stream and waits for JetStream
// to store it.
func (h *harness) publish(subject string, data []byte) {
	h.t.Helper()
	if _, err := h.js.Publish(h.ctx, subject, data); err != nil {
		h.t.Fatalf("publish %s: %v", subject, err)
	}
}

func (h *harness) publishBatch(b *result.Batch) {
	h.t.Helper()
	data, err := result.Encode(b)
	if err != nil {
		h.t.Fatal(err)
	}
	h.publish(ResultsSubjectPrefix+b.Agent, data)
}

// waitCounter polls until metric reaches want.
func (h *harness) waitCounter(name string, m prometheus.Metric, want float64) {
	h.t.Helper()
	lab.WaitFor(h.t, h.ctx, 20*time.Millisecond, func() error {
		if got := value(m); got != want {
			return fmt.Errorf("%s = %v, want %v", name, got, want)
		}
		return nil
	})
}

// waitCount polls InfluxDB until measurement holds want points.
func (h *harness) waitCount(measurement string, want int64) {
	h.t.Helper()
	h.influx.WaitCount(h.t, h.ctx, measurement, want)
}

// consumerIdle waits until the consumer holds no unacked message and the
// work-queue stream is empty: everything was acked or terminated.
func (h *harness) consumerIdle() *jetstream.ConsumerInfo {
	h.t.Helper()
	var info *jetstream.ConsumerInfo
	lab.WaitFor(h.t, h.ctx, 20*time.Millisecond, func() error {
		c, err := h.js.Consumer(h.ctx, h.in.opts.Stream, h.in.opts.Consumer)
		if err != nil {
			return err
		}
		info, err = c.Info(h.ctx)
		if err != nil {
			return err
		}
		s, err := h.js.Stream(h.ctx, h.in.opts.Stream)
		if err != nil {
			return err
		}
		si, err := s.Info(h.ctx)
		if err != nil {
			return err
		}
		if info.NumAckPending != 0 || info.NumPending != 0 || si.State.Msgs != 0 {
			return fmt.Errorf("ack pending %d, pending %d, stream holds %d", info.NumAckPending, info.NumPending, si.State.Msgs)
		}
		return nil
	})
	return info
}

// deadLetter returns the last dead letter for agent.
func (h *harness) deadLetter(agent string) *jetstream.RawStreamMsg {
	h.t.Helper()
	s, err := h.js.Stream(h.ctx, h.in.opts.DeadLetterStream)
	if err != nil {
		h.t.Fatal(err)
	}
	m, err := s.GetLastMsgForSubject(h.ctx, DeadLetterSubjectPrefix+agent)
	if err != nil {
		h.t.Fatalf("dead letter for %s: %v", agent, err)
	}
	return m
}

// pings makes n ping results of agent with distinct targets and times from
// start, so no two overwrite each other in InfluxDB.
func pings(agent string, n int, start time.Time) *result.Batch {
	b := &result.Batch{Agent: agent}
	for i := range n {
		b.Results = append(b.Results, result.Result{
			Time: start.Add(time.Duration(i) * time.Millisecond), Measurement: "ping", Probe: "pop",
			Tags:   map[string]string{"target": fmt.Sprintf("198.18.%d.%d", i/250, i%250+1), "line": "L-" + agent},
			Fields: map[string]float64{"sent": 3, "recv": 3, "loss_pct": 0, "rtt_avg_ms": 1.5},
		})
	}
	return b
}

// value reads a counter, gauge or histogram count.
func value(m prometheus.Metric) float64 {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		panic(err)
	}
	switch {
	case d.Counter != nil:
		return d.Counter.GetValue()
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	case d.Histogram != nil:
		return float64(d.Histogram.GetSampleCount())
	}
	return 0
}
