package ingest

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// commit hands a unit's messages to the Sinks, then writes their points
// and settles each message: ack, terminate or nak. Line health comes first
// so that it never waits for InfluxDB (outage.go); a message is acked only
// once both took it. ctx is the work context, which outlives Run's context
// by the shutdown grace. Several commits run at once (Options.Writers);
// each acks only messages whose own points were written.
func (in *Ingester) commit(ctx context.Context, u *unit) {
	refused := in.feed(ctx, u)
	if in.prog != nil {
		// Line health took the pull (or will see a refused message again
		// when it is redelivered; its clock never runs ahead of the wall
		// clock meanwhile).
		in.prog.done(u.seq, u.mark)
	}
	if refused {
		encode(u) // without the points of messages the Sinks refused
	}
	if !in.write(ctx, u) {
		return
	}
	in.settling.Lock()
	defer in.settling.Unlock()
	for i := range u.items {
		in.settle(ctx, &u.items[i])
	}
}

// feed settles what needs no write (resends of written messages, refused
// messages) and passes every other message's valid results to the Sinks,
// then flushes the Stagers once for the whole pull. A message a Sink
// failed on (or whose Flush failed) is nak'd for redelivery; feed reports
// whether that happened to one with points, which must then leave the
// batch.
func (in *Ingester) feed(ctx context.Context, u *unit) (refused bool) {
	in.settling.Lock()
	defer in.settling.Unlock()
	staged := false
	defer func() {
		if !staged || in.flush(ctx) {
			return
		}
		for i := range u.items {
			it := &u.items[i]
			if it.settled || it.dup || it.whole != nil {
				continue
			}
			it.settled = true
			in.retry(it)
			refused = refused || len(it.drops) < len(it.batch.Results)
		}
	}()
	for i := range u.items {
		it := &u.items[i]
		switch {
		case it.dup:
			_ = it.msg.Ack()
			in.m.messages.WithLabelValues(outcomeDuplicate).Inc()
			it.settled = true
		case it.whole != nil:
			it.settled = true
			if !in.deadLetter(ctx, it, *it.whole, it.msg.Data(), 1) {
				in.retry(it)
				continue
			}
			// Terminate, not ack: JetStream records it as refused (an
			// advisory) and never redelivers it.
			_ = it.msg.TermWithReason(it.whole.reason)
			in.m.messages.WithLabelValues(outcomeDeadLettered).Inc()
		default:
			if !in.handle(ctx, it) {
				it.settled = true
				in.retry(it)
				refused = refused || len(it.drops) < len(it.batch.Results)
				continue
			}
			staged = true
		}
	}
	return refused
}

// flush makes what the Stagers were given durable; it reports false if
// one failed, and then every message staged since must come again.
func (in *Ingester) flush(ctx context.Context) bool {
	for _, s := range in.sinks {
		st, ok := s.(Stager)
		if !ok {
			continue
		}
		if err := st.Flush(ctx); err != nil {
			in.logs.Warn(in.log, "sink/flush", "sink failed to flush a pull; its messages will be redelivered",
				"delay", in.opts.SinkRetryDelay, "err", err)
			return false
		}
	}
	return true
}

// handle passes a message's valid results to every Sink; it reports false
// if one failed.
func (in *Ingester) handle(ctx context.Context, it *item) bool {
	results := it.batch.Results
	if len(it.drops) > 0 {
		results = written(results, it.drops)
	}
	if len(results) == 0 {
		return true
	}
	for _, s := range in.sinks {
		handle := s.Handle
		if st, ok := s.(Stager); ok {
			handle = st.Stage // made durable by flush, before any ack
		}
		if err := handle(ctx, it.agent, results); err != nil {
			in.logs.Warn(in.log, "sink/"+it.agent, "sink failed; message will be redelivered",
				"agent", it.agent, "subject", it.msg.Subject(), "delay", in.opts.SinkRetryDelay, "err", err)
			return false
		}
	}
	return true
}

// write writes the unit's points, or hands its messages back to JetStream
// for later while InfluxDB is unavailable. It reports whether the messages
// may be settled.
func (in *Ingester) write(ctx context.Context, u *unit) bool {
	n := u.batch.Len()
	if n == 0 {
		return true
	}
	if !in.influx.try(time.Now()) {
		in.deferAll(u, in.influx.reason())
		return false
	}
	in.m.writePoints.Observe(float64(n))
	rejected, err := in.store.TryWrite(ctx, &u.batch)
	if err != nil {
		if ctx.Err() != nil {
			// A shutdown whose grace ran out. Hand the messages back at
			// once instead of letting them wait out AckWait.
			in.influx.abandoned()
			in.handBack(u, func(it *item) { _ = it.msg.Nak() }, outcomeAbandoned)
			in.log.Warn("shutdown before InfluxDB took the last pull; messages handed back", "messages", len(u.items), "err", err)
			return false
		}
		reason := deferInfluxUnavailable
		if errors.Is(err, ErrQueueFull) {
			reason = deferQueueFull
		}
		if in.influx.failed(time.Now(), in.opts.probeDelay, reason) {
			in.log.Warn("the store cannot take results (InfluxDB, or the write-behind queue in front of it); line health goes on, the results wait in JetStream and are retried with backoff",
				"retry_delay", in.opts.RetryDelay, "max_retry_delay", in.opts.MaxRetryDelay, "err", err)
		}
		in.deferAll(u, reason)
		return false
	}
	if failures := in.influx.ok(); failures > 0 {
		in.log.Info("InfluxDB takes results again; deferred ones arrive as JetStream redelivers them", "failed_writes", failures)
	}
	in.m.ingested.Add(float64(n - len(rejected)))
	for _, r := range rejected {
		ref := u.owner[r.Index]
		it := &u.items[ref.item]
		it.drops = append(it.drops, drop{int(ref.result), ReasonInfluxRejected, r.Reason})
	}
	return true
}

// deferAll hands every message of u still to be written back to JetStream,
// to be redelivered after its backoff (outage.go).
func (in *Ingester) deferAll(u *unit, reason string) {
	in.handBack(u, func(it *item) {
		attempt := 1
		if md, err := it.msg.Metadata(); err == nil {
			attempt = int(min(md.NumDelivered, 64))
		}
		_ = it.msg.NakWithDelay(in.opts.retryDelay(attempt))
		in.m.deferred.WithLabelValues(reason).Inc()
	}, outcomeDeferred)
}

// handBack naks each message of u not yet settled and counts it.
func (in *Ingester) handBack(u *unit, nak func(*item), outcome string) {
	for i := range u.items {
		it := &u.items[i]
		if it.settled || it.dup || it.whole != nil {
			continue
		}
		nak(it)
		it.settled = true
		in.m.messages.WithLabelValues(outcome).Inc()
	}
}

// settle dead-letters what was refused (by validation or by InfluxDB) and
// acks — or naks with a delay when the dead letter could not be stored, so
// the whole message comes back and is handled again (idempotently).
func (in *Ingester) settle(ctx context.Context, it *item) {
	if it.settled || it.dup || it.whole != nil {
		return
	}
	it.settled = true
	results := len(it.batch.Results)
	if len(it.drops) > 0 {
		if !in.deadLetterResults(ctx, it) {
			in.retry(it)
			return
		}
		results -= len(it.drops)
	}
	_ = it.msg.Ack()
	if it.id != "" {
		in.recent.add(recentKey(it.agent, it.id), in.opts.Now())
	}
	switch {
	case len(it.drops) == 0:
		in.m.messages.WithLabelValues(outcomeOK).Inc()
	case results > 0:
		in.m.messages.WithLabelValues(outcomePartial).Inc()
	default:
		in.m.messages.WithLabelValues(outcomeDeadLettered).Inc()
	}
}

func (in *Ingester) retry(it *item) {
	_ = it.msg.NakWithDelay(in.opts.SinkRetryDelay)
	in.m.messages.WithLabelValues(outcomeRetry).Inc()
}

// deadLetterResults publishes the dropped results of a message, one dead
// letter per reason, each a result batch of just those results.
func (in *Ingester) deadLetterResults(ctx context.Context, it *item) bool {
	slices.SortStableFunc(it.drops, func(a, b drop) int {
		if a.reason != b.reason {
			if a.reason < b.reason {
				return -1
			}
			return 1
		}
		return a.index - b.index
	})
	for start := 0; start < len(it.drops); {
		end := start + 1
		for end < len(it.drops) && it.drops[end].reason == it.drops[start].reason {
			end++
		}
		group := it.drops[start:end]
		bad := result.Batch{Agent: it.agent}
		for _, d := range group {
			bad.Results = append(bad.Results, it.batch.Results[d.index])
		}
		data, err := result.Encode(&bad)
		if err != nil {
			// Cannot happen for decoded results; keep the original then.
			data = it.msg.Data()
		}
		first := group[0]
		if len(group) > 1 {
			first.err += " (and " + itoa(len(group)-1) + " more)"
		}
		if !in.deadLetter(ctx, it, first, data, len(group)) {
			return false
		}
		start = end
	}
	return true
}

// written returns results without the dropped ones, in a new slice.
func written(results []result.Result, drops []drop) []result.Result {
	out := make([]result.Result, 0, len(results))
	for i := range results {
		if !dropped(drops, i) {
			out = append(out, results[i])
		}
	}
	return out
}
