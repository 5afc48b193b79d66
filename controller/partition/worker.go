package partition

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

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
	Stream   string
	Handover *Handover
	Detector linestate.Options
	Events   EventSink
	Points   PointWriter
	// SnapshotEvery is how often the detector is handed over (and the
	// messages it includes acked). It bounds what a new owner re-applies.
	SnapshotEvery time.Duration
	// Tick is how often the detector is advanced on the clock.
	Tick time.Duration
	// FetchBatch is the most messages pulled at once.
	FetchBatch int
	// AckWait must exceed SnapshotEvery by far: messages stay unacked
	// until a snapshot includes them.
	AckWait time.Duration
	// Holds reports whether the lease on the partition is still valid;
	// without it nothing is saved or acked (fencing).
	Holds func() bool
	Now   func() time.Time
}

// ConsumerName is partition p's durable consumer on the results stream.
func ConsumerName(p int) string { return "vantage-part-" + strconv.Itoa(p) }

// worker is one owned partition: its consumer, its detector and the
// messages applied but not yet included in a saved snapshot.
type worker struct {
	o    WorkerOptions
	log  *slog.Logger
	m    *metrics
	det  *linestate.Detector
	cons jetstream.Consumer
	// floor is the snapshot's Seq: messages up to it are in the detector.
	floor uint64
	last  uint64          // newest stream sequence applied
	held  []jetstream.Msg // applied, acked at the next snapshot
	batch influx.Batch
	evs   []linestate.Event
	// saved is the detector snapshot at floor (nil: empty detector), and
	// nextDelivery the consumer sequence the next message must carry
	// (rewind).
	saved        []byte
	nextDelivery uint64
}

// run owns the partition until ctx ends; then, if the lease still holds,
// it hands the partition over (final snapshot, acks).
func runWorker(ctx context.Context, o WorkerOptions, log *slog.Logger, m *metrics) error {
	w := &worker{o: o, log: log.With("partition", o.Partition), m: m}
	start := o.Now()
	if err := w.restore(ctx); err != nil {
		return err
	}
	if len(o.Map.Subjects(o.Partition)) > 0 {
		var err error
		if w.cons, err = w.recreateConsumer(ctx); err != nil {
			return err
		}
	}
	m.takeover.Observe(o.Now().Sub(start).Seconds())
	w.log.Info("partition taken", "from_seq", w.floor, "lines", w.det.Stats().Lines, "agents", len(o.Map.Subjects(o.Partition)))
	lastTick, lastSnap := o.Now(), o.Now()
	for {
		if ctx.Err() != nil {
			return w.handOver()
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
		now := o.Now()
		if now.Sub(lastTick) >= o.Tick {
			lastTick = now
			w.evs = append(w.evs, w.det.Advance(now).Events...)
			if err := w.flush(ctx); err != nil {
				continue
			}
		}
		if now.Sub(lastSnap) >= o.SnapshotEvery {
			if err := w.snapshot(ctx); err == nil {
				lastSnap = now
			} else if ctx.Err() == nil {
				w.log.Warn("snapshot not handed over", "err", err)
			}
		}
	}
}

// restore loads the last handed-over snapshot.
func (w *worker) restore(ctx context.Context) error {
	var err error
	if w.det, err = linestate.New(w.o.Detector); err != nil {
		return err
	}
	snap, ok, err := w.o.Handover.Load(ctx, w.o.Partition)
	if err != nil || !ok {
		return err
	}
	if err := w.det.Restore(snap.Detector); err != nil {
		return fmt.Errorf("partition %d: restore snapshot of %s: %w", w.o.Partition, snap.Owner, err)
	}
	w.floor, w.last, w.saved = snap.Seq, snap.Seq, snap.Detector
	return nil
}

// rewind goes back to the last saved snapshot and recreates the consumer,
// as a new owner would. It is called when a delivery is missing (a
// message the server sent on a connection that died, for instance while
// one NATS server of the cluster stops): JetStream would redeliver it only
// after the ack wait, after the results that followed it, too late for
// the detector. Everything applied since the snapshot is unacked, so the
// new consumer delivers it again in stream order; its events are recorded
// again under the same identity and its points overwrite themselves.
func (w *worker) rewind(ctx context.Context, why string) error {
	w.m.rewinds.Inc()
	w.log.Warn("partition rewound to its last snapshot", "why", why, "seq", w.floor, "reapplied", len(w.held))
	det, err := linestate.New(w.o.Detector)
	if err != nil {
		return err
	}
	if w.saved != nil {
		if err := det.Restore(w.saved); err != nil {
			return err
		}
	}
	w.det, w.last, w.held, w.evs = det, w.floor, w.held[:0], w.evs[:0]
	w.batch.Reset()
	w.cons, err = w.recreateConsumer(ctx)
	return err
}

// recreateConsumer deletes the partition's consumer and creates it again:
// every message its last snapshot does not include is unacked, so the new
// consumer delivers exactly those, in stream order; and the previous
// owner, if it still runs, can no longer fetch or ack.
func (w *worker) recreateConsumer(ctx context.Context) (jetstream.Consumer, error) {
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
		FilterSubjects: w.o.Map.Subjects(w.o.Partition),
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
	for msg := range batch.Messages() {
		if gap != "" {
			continue // not applied, not acked: delivered again after the rewind
		}
		gap = w.apply(msg)
	}
	if gap != "" {
		return w.rewind(ctx, gap)
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// apply feeds one message's points to the batch and its line evidence for
// this partition's lines to the detector. It returns why the partition
// must rewind instead ("" when the message was taken).
func (w *worker) apply(msg jetstream.Msg) string {
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
	seq := meta.Sequence.Stream
	if seq <= w.floor {
		// In the snapshot already: its ack was lost before the handover.
		_ = msg.Ack()
		return ""
	}
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
	for i := range b.Results {
		r := &b.Results[i]
		if err := w.batch.Add(agent, r); err != nil {
			w.m.dropped.WithLabelValues("unencodable").Inc()
		}
		ev, ok := linestate.FromResult(agent, r)
		if !ok {
			continue
		}
		p, known := w.o.Map.Line(ev.Line)
		switch {
		case !known:
			w.m.evidence.WithLabelValues("unknown_line").Inc()
			continue
		case p != w.o.Partition:
			w.m.evidence.WithLabelValues("foreign").Inc()
			continue
		case !w.o.Map.Watches(agent, ev.Line):
			w.m.evidence.WithLabelValues("not_assigned").Inc()
			continue
		}
		out, _ := w.det.Add(ev)
		w.m.evidence.WithLabelValues("applied").Inc()
		w.evs = append(w.evs, out.Events...)
	}
	w.held = append(w.held, msg)
	w.last = max(w.last, seq)
	w.m.messages.Inc()
	return ""
}

// flush writes the batched points and records the events, retrying while
// the lease holds: nothing is acked before both are stored.
func (w *worker) flush(ctx context.Context) error {
	for attempt := 0; w.batch.Len() > 0 || len(w.evs) > 0; attempt++ {
		if !w.o.Holds() {
			return errors.New("lease lost")
		}
		err := w.write(ctx)
		if err == nil {
			return nil
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
	if len(w.evs) > 0 {
		if err := w.o.Events.Record(ctx, w.evs); err != nil {
			return fmt.Errorf("events: %w", err)
		}
		w.evs = w.evs[:0]
	}
	return nil
}

// snapshot hands the detector over with the newest sequence it includes,
// then acks the messages it includes. Only under a valid lease: a fenced
// worker must not overwrite its successor's snapshot.
func (w *worker) snapshot(ctx context.Context) error {
	if !w.o.Holds() {
		return errors.New("lease lost")
	}
	if w.batch.Len() > 0 || len(w.evs) > 0 {
		return errors.New("outputs not stored yet")
	}
	data, err := w.det.Snapshot()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := w.o.Handover.Save(ctx, w.o.Partition, Snapshot{Seq: w.last, Owner: w.o.Owner, Taken: w.o.Now().UTC(), Detector: data}); err != nil {
		return err
	}
	w.m.snapshotSeconds.Observe(time.Since(start).Seconds())
	w.m.snapshotBytes.Set(float64(len(data)))
	w.floor, w.saved = w.last, data
	for _, msg := range w.held {
		_ = msg.Ack() // a lost ack is redelivered and skipped (seq <= floor)
	}
	w.held = w.held[:0]
	return nil
}

// handOver is the graceful end: store what is pending and save the final
// snapshot, if the lease still holds. With a lost lease it just stops:
// the new owner re-applies everything after the last snapshot.
func (w *worker) handOver() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !w.o.Holds() {
		w.log.Warn("partition stopped without handover (lease lost)")
		return nil
	}
	if err := w.flush(ctx); err != nil {
		return fmt.Errorf("partition %d: final store: %w", w.o.Partition, err)
	}
	if err := w.snapshot(ctx); err != nil {
		return fmt.Errorf("partition %d: final snapshot: %w", w.o.Partition, err)
	}
	w.log.Info("partition handed over", "seq", w.floor)
	return nil
}
