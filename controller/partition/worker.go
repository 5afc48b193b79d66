package partition

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// WorkerOptions configure the work on one partition (Node fills them).
type WorkerOptions struct {
	Partition int
	Owner     string
	Map       *Map
	JS        jetstream.JetStream
	// Stream is the results stream (VANTAGE_RESULTS).
	Stream string
	// Health is the template of the partition's line-health Monitor (the
	// shared database, inventory, shipper, detector profiles, incident
	// rules, the notify hook); the worker adds the partition's scope.
	Health linehealth.Options
	Points PointWriter
	// Tick bounds how long a pull waits for messages.
	Tick time.Duration
	// FetchBatch is the most messages pulled at once.
	FetchBatch int
	// AckWait is the consumer's: a message not acked within it (its
	// worker died mid-commit) is delivered again.
	AckWait time.Duration
	// Holds reports whether the lease on the partition is still valid;
	// without it nothing more is acked. (The database fences commits on
	// its own: linehealth.Partition.)
	Holds func() bool
	Now   func() time.Time
	// Live, if set, holds the map in use, which the node swaps when the
	// inventory changed (reload.go); Map is the one at start.
	Live *atomic.Pointer[Map]
	// Inventory, if set, is the node's inventory read, which the
	// partition's Monitor refreshes from (linehealth.Partition.Inventory).
	Inventory func() *linehealth.Inventory
	// OnMonitor, if set, is told the partition's Monitor once restored.
	OnMonitor func(*linehealth.Monitor)
	// Metrics is where the Monitor's metrics go (with a partition label);
	// they are removed when the worker ends. Nil: not exported.
	Metrics prometheus.Registerer
}

// ConsumerName is partition p's durable consumer on the results stream.
func ConsumerName(p int) string { return "vantage-part-" + strconv.Itoa(p) }

// PartitionName is partition p's key in the shared database (its
// line-health snapshot row, journal rows and epoch).
func PartitionName(p int) string { return "p" + strconv.Itoa(p) }

// worker is one owned partition: its consumer, its line-health Monitor
// and the messages applied but not yet committed.
type worker struct {
	o    WorkerOptions
	log  *slog.Logger
	m    *metrics
	mon  *linehealth.Monitor
	cons jetstream.Consumer
	held []jetstream.Msg // applied, acked once committed
	// batch holds the raw points of held; rs the line evidence results of
	// one message, reused.
	batch influx.Batch
	rs    []result.Result
	// nextDelivery is the consumer sequence the next message must carry
	// (rewind).
	nextDelivery uint64
	// consMap is the map whose subjects the consumer filters.
	consMap *Map
	// caughtUp is what the worker last told the Monitor (consumed).
	caughtUp bool
}

// consumed tells the Monitor how far the consumer got (ArrivalClock).
func (w *worker) consumed(arrived time.Time, caughtUp bool) {
	w.caughtUp = caughtUp
	w.mon.Consumed(arrived, caughtUp)
}

// mp is the map in use.
func (w *worker) mp() *Map {
	if w.o.Live != nil {
		return w.o.Live.Load()
	}
	return w.o.Map
}

// runWorker owns the partition until ctx ends or the partition is taken
// by a newer owner; on a graceful end (the lease still held) the last
// messages are committed and acked and the Monitor's final snapshot is
// taken, so the next owner replays nothing.
func runWorker(ctx context.Context, o WorkerOptions, log *slog.Logger, m *metrics) error {
	w := &worker{o: o, log: log.With("partition", o.Partition), m: m}
	start := o.Now()
	h := o.Health
	h.Partition = &linehealth.Partition{Name: PartitionName(o.Partition), Owner: o.Owner, Owns: func(line string) bool {
		p, ok := w.mp().Line(line)
		return ok && p == o.Partition
	}, Inventory: o.Inventory}
	// Lateness counts from the results' arrival in the stream (pull
	// reports the consumer's progress): a handover's backlog, or one left
	// while a NATS server stops, is placed exactly, not refused for the
	// time it waited for this worker (linehealth/arrival.go).
	h.ArrivalClock = len(w.mp().Subjects(o.Partition)) > 0
	// Takes the partition in the database (fencing the previous owner),
	// then restores its snapshot and replays its journal: the previous
	// owner's last commit is where this one continues.
	var err error
	if w.mon, err = linehealth.New(ctx, h, w.log.With("component", "health"), o.Metrics); err != nil {
		return fmt.Errorf("partition %d: line health: %w", o.Partition, err)
	}
	monCtx, stopMon := context.WithCancel(context.WithoutCancel(ctx))
	monDone := make(chan error, 1)
	go func() { monDone <- w.mon.Run(monCtx) }()
	// The Monitor stops after the worker: its final commit and snapshot
	// then hold every message the worker acked. Its series go with it.
	defer func() {
		stopMon()
		if err := <-monDone; err != nil && !errors.Is(err, linehealth.ErrFenced) {
			w.log.Warn("partition line health stopped", "err", err)
		}
		w.mon.Unregister(o.Metrics)
	}()
	if o.OnMonitor != nil {
		o.OnMonitor(w.mon)
	}
	w.refilter(ctx)
	m.takeover.Observe(o.Now().Sub(start).Seconds())
	w.log.Info("partition taken", "agents", len(w.mp().Subjects(o.Partition)))
	for {
		if ctx.Err() != nil {
			return w.handOver()
		}
		if w.mon.Fenced() {
			return fmt.Errorf("partition %d: %w", o.Partition, linehealth.ErrFenced)
		}
		if w.mp() != w.consMap || w.cons == nil && len(w.consMap.Subjects(o.Partition)) > 0 {
			w.refilter(ctx)
		}
		if w.cons == nil {
			select {
			case <-ctx.Done():
			case <-time.After(o.Tick):
			}
		} else if err := w.pull(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("pull failed", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(o.Tick):
			}
		}
		if err := w.flush(ctx); err != nil {
			if ctx.Err() != nil {
				continue // the final flush is handOver's
			}
			return err
		}
	}
}

// refilter makes the consumer filter the subjects of the map in use: at
// start, and when the node swapped the map and the partition's agents
// changed (reload.go). What was applied is committed and acked first, so
// the new consumer delivers the rest in order. The results stream refuses
// a filter that overlaps another partition's (an agent moving here whose
// old partition's owner has not yet switched): then the partition stays
// without a consumer and tries again next tick, while that agent's
// results wait in the stream.
func (w *worker) refilter(ctx context.Context) {
	m := w.mp()
	if w.cons != nil && w.consMap != nil && slices.Equal(m.Subjects(w.o.Partition), w.consMap.Subjects(w.o.Partition)) {
		w.consMap = m
		return
	}
	if err := w.flush(ctx); err != nil {
		w.log.Warn("commit before refilter failed; retrying", "err", err)
		return // consMap unchanged: tried again next round
	}
	w.consMap = m
	if len(m.Subjects(w.o.Partition)) == 0 {
		w.cons = nil
		if err := w.o.JS.DeleteConsumer(ctx, w.o.Stream, ConsumerName(w.o.Partition)); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			w.log.Warn("partition consumer not deleted", "err", err)
		}
		return
	}
	var err error
	if w.cons, err = w.recreateConsumer(ctx); err != nil && ctx.Err() == nil {
		// Every result that reached the stream so far was fed, if the
		// consumer was caught up: the detector's clock holds here until
		// the results waiting meanwhile are pulled, so they are not
		// refused as late for the wait (linehealth/arrival.go).
		if w.caughtUp {
			w.consumed(w.o.Now(), false)
		}
		w.m.refused.Inc()
		w.log.Warn("partition consumer not created; retrying next tick", "err", err)
	}
}

// rewind recreates the consumer after a missing delivery (a message the
// server sent on a connection that died, for instance while one NATS
// server of the cluster stops): JetStream would redeliver it only after
// the ack wait, after the results that followed it, too late for the
// detector. What was applied before the gap is committed and acked
// (flush); the rest is unacked, so the new consumer delivers it again in
// stream order. A message whose ack was lost comes again too: its
// evidence is a duplicate to the detector, which counts nothing twice.
func (w *worker) rewind(ctx context.Context, why string) error {
	w.m.rewinds.Inc()
	w.log.Warn("partition consumer recreated", "why", why)
	if err := w.flush(ctx); err != nil {
		return err
	}
	var err error
	w.cons, err = w.recreateConsumer(ctx)
	return err
}

// recreateConsumer deletes the partition's consumer and creates it again:
// every message not committed and acked is unacked, so the new consumer
// delivers exactly those, in stream order; and the previous owner, if it
// still runs, can no longer fetch or ack.
func (w *worker) recreateConsumer(ctx context.Context) (jetstream.Consumer, error) {
	if w.consMap == nil {
		w.consMap = w.mp()
	}
	name := ConsumerName(w.o.Partition)
	if err := w.o.JS.DeleteConsumer(ctx, w.o.Stream, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("partition %d: delete consumer: %w", w.o.Partition, err)
	}
	cons, err := w.o.JS.CreateConsumer(ctx, w.o.Stream, jetstream.ConsumerConfig{
		Durable:        name,
		Description:    fmt.Sprintf("Controller partition %d (owner %s)", w.o.Partition, w.o.Owner),
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        w.o.AckWait,
		MaxDeliver:     -1,
		MaxAckPending:  -1,
		FilterSubjects: w.consMap.Subjects(w.o.Partition),
	})
	if err != nil {
		return nil, fmt.Errorf("partition %d: create consumer (another consumer filtering the same agents, such as a single controller's vantage-ingest, must be deleted first): %w", w.o.Partition, err)
	}
	w.nextDelivery = 1
	return cons, nil
}

// pull applies what is waiting (up to FetchBatch), waiting at most a tick.
func (w *worker) pull(ctx context.Context) error {
	batch, err := w.cons.Fetch(w.o.FetchBatch, jetstream.FetchMaxWait(w.o.Tick))
	if err != nil {
		return err
	}
	var gap string
	n := 0
	for msg := range batch.Messages() {
		n++
		if gap != "" {
			continue // not applied, not acked: delivered again after the rewind
		}
		gap = w.apply(ctx, msg)
	}
	if gap != "" {
		return w.rewind(ctx, gap)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if n == 0 {
		// Nothing came: caught up only if nothing waits (a consumer
		// whose leader moves delivers nothing for a while).
		if info, err := w.cons.Info(ctx); err == nil && info.NumPending == 0 {
			w.consumed(time.Time{}, true)
		}
	}
	return nil
}

// apply adds one message's points to the batch and stages its line
// evidence for this partition's lines in the Monitor. It returns why the
// partition must rewind instead ("" when the message was taken).
func (w *worker) apply(ctx context.Context, msg jetstream.Msg) string {
	meta, err := msg.Metadata()
	if err != nil {
		w.m.dropped.WithLabelValues("no_metadata").Inc()
		_ = msg.Term()
		return ""
	}
	if meta.Sequence.Consumer != w.nextDelivery || meta.NumDelivered > 1 {
		return fmt.Sprintf("delivery %d (stream %d, delivered %d times), expected delivery %d",
			meta.Sequence.Consumer, meta.Sequence.Stream, meta.NumDelivered, w.nextDelivery)
	}
	w.nextDelivery++
	// Every message stored before this one is fed once this one is.
	defer w.consumed(meta.Timestamp, meta.NumPending == 0)
	agent := strings.TrimPrefix(msg.Subject(), ResultsSubjectPrefix)
	b, err := result.Decode(msg.Data())
	if err == nil && b.Agent != agent {
		err = fmt.Errorf("batch agent %q on the subject of %q", b.Agent, agent)
	}
	if err != nil {
		// The single controller's ingest dead-letters these; here they
		// are counted and dropped (no state effect to hand over).
		w.m.dropped.WithLabelValues("undecodable").Inc()
		w.log.Warn("undecodable message dropped", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return ""
	}
	w.rs = w.rs[:0]
	for i := range b.Results {
		r := &b.Results[i]
		if err := w.batch.Add(agent, r); err != nil {
			w.m.dropped.WithLabelValues("unencodable").Inc()
		}
		ev, ok := linestate.FromResult(agent, r)
		if !ok {
			continue
		}
		p, known := w.mp().Line(ev.Line)
		switch {
		case !known:
			w.m.evidence.WithLabelValues("unknown_line").Inc()
			continue
		case p != w.o.Partition:
			w.m.evidence.WithLabelValues("foreign").Inc()
			continue
		case !w.mp().Watches(agent, ev.Line):
			w.m.evidence.WithLabelValues("not_assigned").Inc()
			continue
		}
		w.m.evidence.WithLabelValues("applied").Inc()
		w.rs = append(w.rs, *r)
	}
	if len(w.rs) > 0 {
		_ = w.mon.Stage(ctx, agent, w.rs) // never fails: the commit is Flush's
	}
	w.held = append(w.held, msg)
	w.m.messages.Inc()
	return ""
}

// flush writes the batched points, commits the Monitor (evidence journal,
// events, incidents, line states, notifications in one transaction) and
// then acks the messages: retrying while the lease holds and the
// partition is not taken by a newer owner. Nothing is acked before both
// are stored.
func (w *worker) flush(ctx context.Context) error {
	if len(w.held) == 0 && w.batch.Len() == 0 {
		return nil
	}
	for attempt := 0; ; attempt++ {
		if !w.o.Holds() {
			return errors.New("lease lost")
		}
		err := w.write(ctx)
		if err == nil {
			break
		}
		if errors.Is(err, linehealth.ErrFenced) {
			return err
		}
		if attempt == 0 {
			w.log.Warn("store failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(100*time.Millisecond<<min(attempt, 6), 5*time.Second)):
		}
	}
	for _, msg := range w.held {
		_ = msg.Ack() // a lost ack is redelivered: a duplicate to the detector
	}
	w.held = w.held[:0]
	return nil
}

func (w *worker) write(ctx context.Context) error {
	if w.batch.Len() > 0 {
		rejected, err := w.o.Points.Write(ctx, &w.batch)
		if err != nil {
			return fmt.Errorf("influx: %w", err)
		}
		if len(rejected) > 0 {
			w.m.dropped.WithLabelValues("influx_rejected").Add(float64(len(rejected)))
		}
		w.m.points.Add(float64(w.batch.Len() - len(rejected)))
		w.batch.Reset()
	}
	if err := w.mon.Flush(ctx); err != nil {
		return fmt.Errorf("line health: %w", err)
	}
	return nil
}

// handOver is the graceful end: commit and ack what is pending, if the
// lease still holds (the Monitor's final snapshot follows, runWorker).
// With a lost lease it just stops: the new owner restores the last
// commit and takes the unacked messages again.
func (w *worker) handOver() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !w.o.Holds() {
		w.log.Warn("partition stopped without handover (lease lost)")
		return nil
	}
	if err := w.flush(ctx); err != nil {
		return fmt.Errorf("partition %d: final commit: %w", w.o.Partition, err)
	}
	w.log.Info("partition handed over")
	return nil
}
