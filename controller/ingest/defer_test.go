package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes/result"
)

// flakyStore stands in for InfluxDB where the test must decide when it
// fails: while failing, TryWrite returns ErrUnavailable as the real writer
// does; otherwise it records every line written and how often.
type flakyStore struct {
	mu       sync.Mutex
	failing  bool
	failures int            // TryWrite calls refused
	lines    map[string]int // line protocol → times written
	writes   int
}

func (s *flakyStore) TryWrite(_ context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing {
		s.failures++
		return nil, fmt.Errorf("%w (network): connection refused", influx.ErrUnavailable)
	}
	s.writes++
	for i := range b.Len() {
		s.lines[string(b.Line(i))]++
	}
	return nil, nil
}

func (s *flakyStore) Healthy() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failing {
		return errors.New("InfluxDB writes failing")
	}
	return nil
}

func (s *flakyStore) set(failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = failing
}

// written returns how many distinct points were written, and the most
// times one of them was.
func (s *flakyStore) written() (points, most int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.lines {
		most = max(most, n)
	}
	return len(s.lines), most
}

// recordSink records every result it is handed, keyed by agent and time.
type recordSink struct {
	mu   sync.Mutex
	seen map[string]int
}

func newRecordSink() *recordSink { return &recordSink{seen: map[string]int{}} }

func (s *recordSink) Handle(_ context.Context, agent string, results []result.Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range results {
		s.seen[agent+" "+results[i].Time.Format(time.RFC3339Nano)]++
	}
	return nil
}

func (s *recordSink) distinct() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// While every write fails, the ingest keeps pulling: the sink (line health)
// sees each new message at once, even after the first ones were handed
// back many times, and nothing is acked. Once writes succeed, every result
// is written exactly once, every message acked once, none lost.
func TestSinkSeesResultsWhileInfluxFails(t *testing.T) {
	store := &flakyStore{lines: map[string]int{}}
	sink := newRecordSink()
	h := newHarnessWith(t, Options{FetchBatch: 4, MaxAckPending: 100}, store, sink)
	store.set(true)

	const per = 10
	for a := range 12 {
		h.publishBatch(pings(fmt.Sprintf("cpe-%d", a), per, t0.Add(-5*time.Minute)))
	}
	waitSeen := func(want int) {
		t.Helper()
		lab.WaitFor(t, h.ctx, 10*time.Millisecond, func() error {
			if got := sink.distinct(); got != want {
				return fmt.Errorf("sink saw %d distinct results, want %d", got, want)
			}
			return nil
		})
	}
	waitSeen(12 * per)
	// Many failed attempts: each of the 12 messages handed back 5 times
	// on average (and so the sink handed them again and again).
	deferred := h.in.m.deferred.WithLabelValues(deferInfluxUnavailable)
	h.waitCounterAtLeast("deferred", deferred, 5*12)
	// New messages still reach the sink while the old ones wait.
	for a := range 12 {
		h.publishBatch(pings(fmt.Sprintf("cpe-%d", a), per, t0.Add(-time.Minute)))
	}
	waitSeen(24 * per)
	if err := h.in.Healthy(); err == nil {
		t.Error("Healthy reports nothing while writes fail")
	}
	if points, _ := store.written(); points != 0 || value(h.in.m.ingested) != 0 || value(h.in.m.messages.WithLabelValues(outcomeOK)) != 0 {
		t.Fatalf("while writes fail: %d points written, ingested %v, %v acked", points, value(h.in.m.ingested), value(h.in.m.messages.WithLabelValues(outcomeOK)))
	}
	store.mu.Lock()
	failures := store.failures
	store.mu.Unlock()
	// One probe per backoff, not one failed write per pull.
	if d := value(deferred); float64(failures) >= d {
		t.Errorf("%d failed writes for %v deferred messages: writes are not skipped while InfluxDB is known down", failures, d)
	}

	store.set(false)
	h.consumerIdle()
	points, most := store.written()
	if points != 24*per || most != 1 {
		t.Errorf("%d distinct points written, one of them %d times; want %d, each once", points, most, 24*per)
	}
	if got := value(h.in.m.ingested); got != 24*per {
		t.Errorf("results ingested = %v, want %d", got, 24*per)
	}
	if got := value(h.in.m.messages.WithLabelValues(outcomeOK)); got != 24 {
		t.Errorf("messages{ok} = %v, want 24: each acked once", got)
	}
	lab.WaitFor(t, h.ctx, 10*time.Millisecond, h.in.Healthy)
}

// waitCounterAtLeast polls until metric reaches at least want.
func (h *harness) waitCounterAtLeast(name string, m prometheus.Metric, want float64) {
	h.t.Helper()
	lab.WaitFor(h.t, h.ctx, 10*time.Millisecond, func() error {
		if got := value(m); got < want {
			return fmt.Errorf("%s = %v, want at least %v", name, got, want)
		}
		return nil
	})
}
