package ingest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// flakySink fails its first calls, then records what it was given.
type flakySink struct {
	mu    sync.Mutex
	fails int
	seen  map[string]int // agent → results handled
	calls int
}

func (s *flakySink) Handle(_ context.Context, agent string, results []result.Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fails > 0 {
		s.fails--
		return errors.New("detector store busy")
	}
	s.seen[agent] += len(results)
	return nil
}

func (s *flakySink) handled(agent string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[agent]
}

// A message is acked only when every sink accepted it: a failing sink gets
// the message again after SinkRetryDelay, and sinks see only what was
// written (no future results).
func TestSinkFailureRedelivers(t *testing.T) {
	ok := &flakySink{seen: map[string]int{}}
	flaky := &flakySink{fails: 1, seen: map[string]int{}}
	h := newHarness(t, Options{}, ok, flaky)
	b := pings("cpe-s", 6, t0.Add(-time.Minute))
	b.Results[0].Time = t0.Add(time.Hour)
	h.publishBatch(b)
	h.publishBatch(pings("cpe-t", 4, t0.Add(-time.Minute)))

	h.waitCounter("messages ok", h.in.m.messages.WithLabelValues(outcomeOK), 1)
	h.waitCounter("messages partial", h.in.m.messages.WithLabelValues(outcomePartial), 1)
	info := h.consumerIdle()
	if info.Delivered.Consumer != 3 || value(h.in.m.messages.WithLabelValues(outcomeRetry)) != 1 {
		t.Errorf("%d deliveries of 2 messages, retry outcome %v; want 3 and 1", info.Delivered.Consumer, value(h.in.m.messages.WithLabelValues(outcomeRetry)))
	}
	if flaky.handled("cpe-s") != 5 || flaky.handled("cpe-t") != 4 {
		t.Errorf("flaky sink handled %v, want cpe-s 5 (future one dropped), cpe-t 4", flaky.seen)
	}
	// The sink before the failing one sees the redelivered message again:
	// sinks must be idempotent.
	if got := ok.handled("cpe-s") + ok.handled("cpe-t"); got != 5+4+5 && got != 5+4+4 {
		t.Errorf("first sink handled %v", ok.seen)
	}
	// Redelivery did not dead-letter the future result twice.
	if got := value(h.in.m.rejected.WithLabelValues(ReasonFuture)); got != 1 {
		t.Errorf("future results counted %v times, want 1", got)
	}
	h.waitCount("ping", 9)
}
