package writebehind

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vantage-net/vantage/agent/publish"
	"github.com/vantage-net/vantage/agent/spool"
	"github.com/vantage-net/vantage/controller/ingest"
	"github.com/vantage-net/vantage/controller/store/influx"
)

// Writer is where the queue's points go; *influx.Writer is the one in use.
type Writer interface {
	// Write writes every point, retrying what InfluxDB cannot take now,
	// and returns the points it refused on their own; an error only when
	// ctx ends first.
	Write(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error)
	// Healthy returns why writes are failing, or nil.
	Healthy() error
}

// Queue is the ingest's Store with InfluxDB behind a spool on disk. Its
// TryWrite is safe for concurrent use (appends are serialised); one Run
// drains it.
type Queue struct {
	opts Options
	w    Writer
	sp   *spool.Spool
	m    *metrics

	mu sync.Mutex // one appender at a time: the spool has one
	// appendFailed is set by the spool's drop callback when an append
	// failed (reason "error"), during the Push that failed.
	appendFailed bool

	headNano  atomic.Int64 // when the oldest record being written was appended; 0: none
	fullSince atomic.Int64 // unix ns since appends are refused; 0: they are not
	lastErr   atomic.Pointer[error]
}

// Open opens or creates the spool in opts.Dir; what a previous run left
// there is drained first by Run.
func Open(w Writer, opts Options) (*Queue, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	q := &Queue{opts: opts, w: w}
	sp, err := spool.Open(spool.Options{
		Dir: opts.Dir, MaxBytes: opts.MaxBytes, Fsync: opts.Fsync,
		Logger: opts.Logger.With("component", "writebehind"),
		// The bound is enforced before each append (TryWrite), so the
		// spool never drops for room or age; what it does report is an
		// append that failed, or a record unreadable when drained.
		Dropped: q.dropped,
	})
	if err != nil {
		return nil, fmt.Errorf("writebehind: %w", err)
	}
	q.sp = sp
	q.m = newMetrics(opts.Registerer, q)
	if n := sp.Results(); n > 0 {
		opts.Logger.Info("write-behind queue holds points from before the restart; draining them to InfluxDB", "points", n, "bytes", sp.Bytes())
	}
	return q, nil
}

// dropped is the spool's drop callback; it runs on the goroutine that
// called Push or PeekN, after the spool's lock is released.
func (q *Queue) dropped(points int, reason string) {
	if reason == "error" {
		q.appendFailed = true // under q.mu: only Push reports "error"
		return
	}
	// A record that no longer reads back (disk damage): lost, counted
	// and logged by the spool, never silently.
	if q.m == nil {
		return // not during Open, which reports damage itself
	}
	q.m.dropped.WithLabelValues(reason).Add(float64(points))
}

// TryWrite appends b's points to the spool and returns once they are in
// the page cache (on disk with Fsync "always"); InfluxDB's answer comes
// later, so it never reports refused points (Run dead-letters them). When
// the spool is full or the append fails it appends nothing and returns an
// error wrapping ingest.ErrQueueFull: the ingest keeps the messages in
// JetStream and tries again after a backoff.
func (q *Queue) TryWrite(_ context.Context, b *influx.Batch) ([]influx.Rejected, error) {
	buf, ends := b.Raw()
	if len(ends) == 0 {
		return nil, nil
	}
	recs := encodeRecords(buf, ends)
	var size int64
	for _, r := range recs {
		size += int64(len(r) + recordOverhead)
	}
	start := time.Now()
	q.mu.Lock()
	defer q.mu.Unlock()
	defer func() { q.m.appendSeconds.Observe(time.Since(start).Seconds()) }()
	// A pull larger than the whole bound still goes into an empty spool,
	// or it could never be written.
	if used := q.sp.Bytes(); used > 0 && used+size > q.opts.MaxBytes {
		return nil, q.refuse(reasonFull, fmt.Errorf("%w: %d bytes waiting, %d more would pass max_bytes %d",
			ingest.ErrQueueFull, used, size, q.opts.MaxBytes))
	}
	now := q.opts.Now().UnixNano()
	for i, r := range recs {
		q.appendFailed = false
		q.sp.Push(publish.Message{ID: strconv.FormatInt(now, 10), Data: r, Results: recordPoints(r)})
		if q.appendFailed {
			// Records before this one are in the spool and will be
			// written; the ingest redelivers the whole pull, and those
			// points are written again, which InfluxDB absorbs.
			return nil, q.refuse(reasonError, fmt.Errorf("%w: appending record %d of %d to %s failed (see the log)",
				ingest.ErrQueueFull, i+1, len(recs), q.opts.Dir))
		}
	}
	q.fullSince.Store(0)
	q.m.appended.Add(float64(len(ends)))
	return nil, nil
}

func (q *Queue) refuse(reason string, err error) error {
	q.m.refused.WithLabelValues(reason).Inc()
	q.fullSince.CompareAndSwap(0, q.opts.Now().UnixNano())
	q.lastErr.Store(&err)
	return err
}

func recordPoints(rec []byte) int {
	if len(rec) < 4 {
		return 0
	}
	return int(uint32(rec[0]) | uint32(rec[1])<<8 | uint32(rec[2])<<16 | uint32(rec[3])<<24)
}

// Healthy returns why points are not flowing: InfluxDB writes failing
// (the writer's own verdict, after its UnhealthyAfter), or the spool
// refusing appends.
func (q *Queue) Healthy() error {
	if err := q.w.Healthy(); err != nil {
		return fmt.Errorf("%w (the write-behind queue holds %d points, oldest %s)", err, q.sp.Results(), q.Age().Round(time.Second))
	}
	if since := q.fullSince.Load(); since != 0 {
		err := errors.New("unknown")
		if p := q.lastErr.Load(); p != nil {
			err = *p
		}
		return fmt.Errorf("write-behind queue refusing results since %s: %v", time.Unix(0, since).UTC().Format(time.RFC3339), err)
	}
	return nil
}

// Points is how many points wait in the spool (including those being
// written).
func (q *Queue) Points() int { return q.sp.Results() }

// Bytes is the spool's size on disk, framing included.
func (q *Queue) Bytes() int64 { return q.sp.Bytes() }

// Age is how long the oldest point waiting has waited (0: none waits).
func (q *Queue) Age() time.Duration {
	h := q.headNano.Load()
	if h == 0 || q.sp.Results() == 0 {
		return 0
	}
	return max(q.opts.Now().Sub(time.Unix(0, h)), 0)
}

// Close syncs and closes the spool; call it after the ingest stopped
// appending and Run returned. What waits stays for the next Open.
func (q *Queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.sp.Close()
}
