package main

import (
	"context"
	"sync/atomic"

	"github.com/vantage-net/vantage/probes/result"
)

// countSink stands in for the controller's detector: the ingest hands it
// each message's results after the InfluxDB write and acks right after.
// Counting here costs an atomic add, where polling the Prometheus registry
// would take CPU from the ingest being measured; done closes when the
// last message arrives.
type countSink struct {
	msgs, n atomic.Int64
	want    int64
	done    chan struct{}
}

func newCountSink(msgs int) *countSink {
	return &countSink{want: int64(msgs), done: make(chan struct{})}
}

func (s *countSink) Handle(_ context.Context, _ string, results []result.Result) error {
	s.n.Add(int64(len(results)))
	if s.msgs.Add(1) == s.want {
		close(s.done)
	}
	return nil
}

func (s *countSink) results() int { return int(s.n.Load()) }
