package main

import (
	"context"
	"sync/atomic"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// countSink stands in for the controller's detector: the ingest hands it
// each message's results before the InfluxDB write. Counting here costs an
// atomic add, where polling the Prometheus registry would take CPU from the
// ingest being measured.
type countSink struct{ n atomic.Int64 }

func (s *countSink) Handle(_ context.Context, _ string, results []result.Result) error {
	s.n.Add(int64(len(results)))
	return nil
}

// countStore is the real writer, counting the points it wrote; done closes
// when the last of want landed. Since line health comes before the write,
// the store, not the sink, says when the ingest is through. It is the
// ingest's Store (TryWrite), or the write-behind queue's Writer (Write)
// with -queue.
type countStore struct {
	w       *influx.Writer
	n, want atomic.Int64
	done    chan struct{}
}

func newCountStore(w *influx.Writer, want int) *countStore {
	c := &countStore{w: w, done: make(chan struct{})}
	c.want.Store(int64(want))
	return c
}

func (s *countStore) TryWrite(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	return s.count(s.w.TryWrite(ctx, b))(b)
}

func (s *countStore) Write(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	return s.count(s.w.Write(ctx, b))(b)
}

func (s *countStore) count(rej []influx.Rejected, err error) func(*influx.Batch) ([]influx.Rejected, error) {
	return func(b *influx.Batch) ([]influx.Rejected, error) {
		if err == nil && s.n.Add(int64(b.Len()-len(rej))) == s.want.Load() {
			close(s.done)
		}
		return rej, err
	}
}

func (s *countStore) Healthy() error { return s.w.Healthy() }

func (s *countStore) results() int { return int(s.n.Load()) }
