package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/loglimit"
	"github.com/vantage-net/vantage/probes/result"
)

// ErrQueueFull is wrapped by the error of a Store that queues points for
// a later write (controller/writebehind) when its queue cannot take more.
// The ingest then does what it does while InfluxDB is unavailable
// (outage.go): the messages, which line health already took, are nak'd
// with backoff and wait in JetStream; it is counted as deferred with
// reason queue_full.
var ErrQueueFull = errors.New("write queue full")

// Store is where results are written: *influx.Writer, or the
// write-behind queue in front of it (controller/writebehind).
type Store interface {
	// TryWrite writes every point of b and returns those refused on their
	// own (InfluxDB's 400/422, bisected down to the points at fault). At
	// the first failure that is not the points' fault (network, timeout,
	// 5xx, ...) it gives up and returns an error instead of retrying: the
	// ingest hands the messages back to JetStream for later (outage.go),
	// so a dead InfluxDB never holds up line health. Points written before
	// the failure are written again then, which InfluxDB absorbs.
	TryWrite(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error)
	// Healthy returns why writes are failing, or nil.
	Healthy() error
}

// Sink is a downstream step that sees each message's results BEFORE they
// are written to InfluxDB: line health (through the evidence gate). A
// message is acked only when every Sink returned nil and its points were
// written; when a Sink fails the message is redelivered after
// Options.SinkRetryDelay, and when InfluxDB is unavailable it is
// redelivered after a backoff (Options.RetryDelay) and the Sinks see it
// again. So Handle must be idempotent (it may see the same results many
// times) and must not assume results arrive in event-time order. Handle
// is called for one message at a time, never concurrently (the ingest
// serialises it even when several writes run at once), so a Sink needs no
// locking of its own. results holds what passed validation (no future or
// out-of-range results), including a point InfluxDB may later refuse on
// its own (a field type conflict says nothing about the line). results
// is valid until Handle (or Stage) returns: the ingest reuses its memory,
// maps included, for later pulls (fastpath.go), so a Sink that keeps a
// result beyond the call copies what it keeps (strings may be kept as
// they are).
type Sink interface {
	Handle(ctx context.Context, agent string, results []result.Result) error
}

// Stager is a Sink whose durable write can cover every message of a pull.
// Stage takes one message's results as Handle does but need not make them
// durable yet; Flush makes durable everything staged since the last Flush.
// The ingest stages each message of a pull, flushes once, and acks none of
// them before Flush returned nil; when Flush fails, every message staged
// since the previous Flush is redelivered (after SinkRetryDelay), so the
// promise of Handle holds: a message is acked only once its results are
// durable downstream. Line health commits one SQLite transaction per pull
// this way instead of one per message: at 50,000 lines the agents send
// about 1,700 messages a second, and a commit each was what held one
// controller to half of that (docs/BENCHMARKS.md, bench/sim). Stage and
// Flush are serialised with Handle.
type Stager interface {
	Sink
	Stage(ctx context.Context, agent string, results []result.Result) error
	Flush(ctx context.Context) error
}

// Ingester consumes the results stream into a Store and Sinks.
type Ingester struct {
	opts  Options
	log   *slog.Logger
	nc    *nats.Conn
	js    jetstream.JetStream
	store Store
	sinks []Sink
	m     *metrics

	inflight inflight
	units    sync.Pool
	strs     interner // probe names and details, for the pull loop's single pass (fastpath.go)
	// settling serialises settle, so Sinks see one message at a time
	// while several units are written concurrently.
	settling sync.Mutex
	// logs bounds warnings per agent and reason (internal/loglimit).
	logs   *loglimit.Limiter
	recent *recentIDs // ids written lately, per agent (msgid.go)

	running  atomic.Bool
	setupErr atomic.Pointer[error]
	fetch    failStreak
	// influx decides whether the next write is tried or its messages
	// deferred at once while InfluxDB is unavailable (outage.go).
	influx outage
	// prog reports the Sinks' progress in the stream (nil: no
	// Options.Progress); caughtUp is whether the last pull left nothing
	// pending (pullLoop's own).
	prog     *progress
	caughtUp bool
}

// New returns an Ingester reading from nc's JetStream. It makes no network
// calls; Run creates the streams and the consumer. Metrics are registered
// with reg (nil: not registered).
func New(nc *nats.Conn, store Store, opts Options, log *slog.Logger, reg prometheus.Registerer, sinks ...Sink) (*Ingester, error) {
	if nc == nil || store == nil {
		return nil, errors.New("ingest: a NATS connection and a store are required")
	}
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in := &Ingester{
		opts:   opts,
		log:    log.With("stream", opts.Stream, "consumer", opts.Consumer),
		nc:     nc,
		js:     js,
		store:  store,
		sinks:  sinks,
		m:      newMetrics(reg),
		recent: newRecentIDs(opts.Duplicates, maxRecentIDs),
	}
	in.units.New = func() any { return new(unit) }
	if opts.Progress != nil {
		in.prog = &progress{report: opts.Progress}
	}
	in.logs = loglimit.New(time.Now, 10*time.Second, 20)
	return in, nil
}

// Run sets up the streams and consumer and ingests until ctx ends. Then it
// stops pulling, finishes writing and acking what it already pulled (for
// at most Options.ShutdownGrace), naks what it could not finish so another
// controller takes it at once, and returns nil. It returns an error only
// when setup fails for good.
func (in *Ingester) Run(ctx context.Context) error {
	cons, err := in.setup(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		in.setupErr.Store(&err)
		return fmt.Errorf("ingest: %w", err)
	}
	in.setupErr.Store(nil)
	in.running.Store(true)
	defer in.running.Store(false)
	in.log.Info("ingest running", "ack_wait", in.opts.AckWait, "max_ack_pending", in.opts.MaxAckPending, "fetch_batch", in.opts.FetchBatch, "writers", in.opts.Writers)

	// Work that was pulled outlives ctx by the grace period.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		t := time.NewTimer(in.opts.ShutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancelWork()
		case <-done:
		}
	}()
	go in.inflight.keepAlive(done, in.opts.AckWait/3)

	// Writers units are written at once and one more waits: decoding the
	// next pull overlaps the InfluxDB writes, InfluxDB always has a request
	// to parse while another waits for its WAL fsync, and a slow InfluxDB
	// stops the pulls (backpressure) instead of filling memory.
	units := make(chan *unit, 1)
	go func() {
		defer close(units)
		in.pullLoop(ctx, cons, units)
	}()
	var writers sync.WaitGroup
	for range in.opts.Writers {
		writers.Go(func() {
			for u := range units {
				in.commit(work, u)
				in.inflight.remove(u)
				in.release(u)
			}
		})
	}
	writers.Wait()
	in.log.Info("ingest stopped")
	return nil
}

// Healthy returns nil while results flow, or why they do not: not running
// (setup failed or pending), InfluxDB writes failing, or pulls from
// JetStream failing, each for longer than its UnhealthyAfter.
func (in *Ingester) Healthy() error {
	if !in.running.Load() {
		if p := in.setupErr.Load(); p != nil {
			return fmt.Errorf("ingest not running: %w", *p)
		}
		return errors.New("ingest not running")
	}
	if err := in.store.Healthy(); err != nil {
		return err
	}
	return in.fetch.unhealthy(time.Now(), in.opts.UnhealthyAfter, "pulling from JetStream")
}
