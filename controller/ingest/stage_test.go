package ingest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// stagingSink is a Stager like line health: what Stage took becomes
// durable only at Flush, and a failed Flush loses it (the messages come
// again). It records which results were made durable, and how often.
type stagingSink struct {
	mu      sync.Mutex
	fails   int            // Flushes still to fail
	staged  map[string]int // agent/time → times staged since the last Flush
	durable map[string]int // agent/time → times made durable
	stages  int
	flushes int
}

func newStagingSink() *stagingSink {
	return &stagingSink{staged: map[string]int{}, durable: map[string]int{}}
}

func (s *stagingSink) Handle(context.Context, string, []result.Result) error {
	return errors.New("Handle called on a Stager: the ingest must Stage and Flush")
}

func (s *stagingSink) Stage(_ context.Context, agent string, results []result.Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stages++
	for _, r := range results {
		s.staged[agent+"/"+r.Time.String()]++
	}
	return nil
}

func (s *stagingSink) Flush(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushes++
	if s.fails > 0 {
		s.fails--
		clear(s.staged) // not durable: lost, as a rolled-back commit
		return errors.New("database is locked")
	}
	for k, n := range s.staged {
		s.durable[k] += n
	}
	clear(s.staged)
	return nil
}

// A Stager is flushed once per pull, not once per message, and no message
// is acked before the Flush that makes its results durable: when that
// Flush fails, every message of the pull comes again, so each result ends
// up durable (nothing lost) and in InfluxDB exactly once.
func TestStagerFlushedOncePerPullAndBeforeAck(t *testing.T) {
	sink := newStagingSink()
	sink.fails = 1
	h := newHarness(t, Options{FetchBatch: 50}, sink)

	// A backlog published while the sink is busy arrives in few pulls.
	sink.mu.Lock()
	for i := range 20 {
		h.publishBatch(pings("cpe-s", 3, t0.Add(-time.Minute+time.Duration(i)*time.Second)))
	}
	sink.mu.Unlock()
	h.waitCounter("messages ok", h.in.m.messages.WithLabelValues(outcomeOK), 20)
	h.consumerIdle()
	h.waitCount("ping", 60)

	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.durable) != 60 {
		t.Errorf("%d distinct results made durable, want 60 (a failed Flush lost some for good)", len(sink.durable))
	}
	if retried := value(h.in.m.messages.WithLabelValues(outcomeRetry)); retried < 1 {
		t.Errorf("the failed Flush redelivered %v messages, want at least 1", retried)
	}
	// 20 messages (and the redelivered ones) in far fewer Flushes: one a pull.
	if sink.flushes >= sink.stages || sink.flushes < 2 {
		t.Errorf("%d Stage calls, %d Flushes: want one Flush per pull, fewer than the messages", sink.stages, sink.flushes)
	}
}
