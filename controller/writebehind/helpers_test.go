package writebehind

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/testnats"
	"github.com/vantage-net/vantage/probes/result"
)

// stack is a real JetStream, a real InfluxDB and the InfluxDB writer the
// controller uses; a test puts a Queue (or not) and an ingest on it.
type stack struct {
	t      *testing.T
	ctx    context.Context
	nc     *nats.Conn
	js     jetstream.JetStream
	influx *testinflux.Server
	writer *influx.Writer
	log    *slog.Logger
	now    time.Time
}

func newStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{t: t, ctx: lab.Deadline(t, 3*time.Minute), now: time.Now().Truncate(time.Second)}
	s.nc = testnats.Connect(t, testnats.StartJetStream(t))
	var err error
	if s.js, err = jetstream.New(s.nc); err != nil {
		t.Fatal(err)
	}
	s.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s.influx = testinflux.Start(t)
	// A request timeout far beyond the test's deadline: a paused InfluxDB
	// holds every write until it is resumed.
	s.writer, err = influx.New(influx.Options{
		URL: s.influx.URL, Bucket: s.influx.Bucket, Token: s.influx.Token, RequestTimeout: 10 * time.Minute,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond, UnhealthyAfter: 500 * time.Millisecond,
	}, s.log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.writer.Close)
	return s
}

// openQueue opens a Queue in dir on the stack's writer.
func (s *stack) openQueue(dir string, maxBytes int64) *Queue {
	s.t.Helper()
	q, err := Open(s.writer, Options{Dir: dir, MaxBytes: maxBytes, Linger: 50 * time.Millisecond, JetStream: s.js,
		Logger: s.log, Registerer: prometheus.NewRegistry()})
	if err != nil {
		s.t.Fatal(err)
	}
	return q
}

// run runs fn until the returned stop is called (or the test ends).
func run(t *testing.T, fn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	stop = sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("did not stop within 30s after its context ended")
		}
	})
	t.Cleanup(stop)
	return stop
}

// startIngest runs the real ingest from the stack's JetStream into store,
// with sink as its line health.
func (s *stack) startIngest(store ingest.Store, opts ingest.Options, sink ingest.Sink) (*ingest.Ingester, func()) {
	s.t.Helper()
	opts.Now = func() time.Time { return s.now.Add(time.Minute) }
	if opts.FetchMaxWait == 0 {
		opts.FetchMaxWait = 100 * time.Millisecond
	}
	in, err := ingest.New(s.nc, store, opts, s.log, prometheus.NewRegistry(), sink)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := in.EnsureStreams(s.ctx); err != nil {
		s.t.Fatal(err)
	}
	return in, run(s.t, in.Run)
}

// publish sends agent's n-th message of per pings and waits for JetStream.
func (s *stack) publish(agent string, n, per int) {
	s.t.Helper()
	b := &result.Batch{Agent: agent}
	for i := range per {
		b.Results = append(b.Results, result.Result{
			Time: s.now.Add(time.Duration(n*per+i) * time.Millisecond), Measurement: "ping", Probe: "pop",
			Tags:   map[string]string{"target": "198.18.0.1", "line": "L-" + agent},
			Fields: map[string]float64{"sent": 3, "recv": 3, "loss_pct": 0, "rtt_avg_ms": 1.5},
		})
	}
	data, err := result.Encode(b)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.js.Publish(s.ctx, ingest.ResultsSubjectPrefix+agent, data); err != nil {
		s.t.Fatal(err)
	}
}

// waitCount polls InfluxDB until measurement holds want points.
func (s *stack) waitCount(measurement string, want int64) {
	s.t.Helper()
	s.influx.WaitCount(s.t, s.ctx, measurement, want)
}

// batch encodes n ping points of agent starting at the stack's now + off.
func (s *stack) batch(agent string, n int, off time.Duration) *influx.Batch {
	s.t.Helper()
	var b influx.Batch
	for i := range n {
		r := result.Result{
			Time: s.now.Add(off + time.Duration(i)*time.Millisecond), Measurement: "ping", Probe: "pop",
			Tags:   map[string]string{"target": "198.18.0.1", "line": "L-" + agent},
			Fields: map[string]float64{"sent": 3, "recv": 3, "loss_pct": 0, "rtt_avg_ms": 1.5},
		}
		if err := b.Add(agent, &r); err != nil {
			s.t.Fatal(err)
		}
	}
	return &b
}

// countSink is line health for the tests: it counts results per message
// delivery and never fails.
type countSink struct {
	mu      sync.Mutex
	results int
}

func (c *countSink) Handle(_ context.Context, _ string, results []result.Result) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.results += len(results)
	return nil
}

func (c *countSink) seen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.results
}

// value reads a counter or gauge.
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
	}
	return 0
}
