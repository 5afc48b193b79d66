package ingest

import (
	"context"
	"slices"

	"github.com/vantage-net/vantage/probes/result"
)

// commit writes a unit's points and then settles each message: ack,
// terminate or nak. ctx is the work context, which outlives Run's context
// by the shutdown grace. Several commits run at once (Options.Writers);
// each acks only messages whose own points were written.
func (in *Ingester) commit(ctx context.Context, u *unit) {
	if n := u.batch.Len(); n > 0 {
		in.m.writePoints.Observe(float64(n))
		rejected, err := in.store.Write(ctx, &u.batch)
		if err != nil {
			// Only a shutdown whose grace ran out gets here (the store
			// retries everything else). Hand the messages back at once
			// instead of letting them wait out AckWait.
			for i := range u.items {
				_ = u.items[i].msg.Nak()
			}
			in.m.messages.WithLabelValues(outcomeAbandoned).Add(float64(len(u.items)))
			in.log.Warn("shutdown before InfluxDB took the last pull; messages handed back", "messages", len(u.items), "err", err)
			return
		}
		in.m.ingested.Add(float64(n - len(rejected)))
		for _, r := range rejected {
			ref := u.owner[r.Index]
			it := &u.items[ref.item]
			it.drops = append(it.drops, drop{int(ref.result), ReasonInfluxRejected, r.Reason})
		}
	}
	in.settling.Lock()
	defer in.settling.Unlock()
	for i := range u.items {
		in.settle(ctx, &u.items[i])
	}
}

// settle dead-letters what was refused, passes what was written to the
// sinks, and acks — or naks with a delay when a step failed, so the whole
// message comes back and is handled again (idempotently).
func (in *Ingester) settle(ctx context.Context, it *item) {
	if it.dup {
		_ = it.msg.Ack()
		in.m.messages.WithLabelValues(outcomeDuplicate).Inc()
		return
	}
	if it.whole != nil {
		if !in.deadLetter(ctx, it, *it.whole, it.msg.Data(), 1) {
			in.retry(it)
			return
		}
		// Terminate, not ack: JetStream records it as refused (an advisory)
		// and never redelivers it.
		_ = it.msg.TermWithReason(it.whole.reason)
		in.m.messages.WithLabelValues(outcomeDeadLettered).Inc()
		return
	}
	results := it.batch.Results
	if len(it.drops) > 0 {
		if !in.deadLetterResults(ctx, it) {
			in.retry(it)
			return
		}
		results = written(results, it.drops)
	}
	if len(results) > 0 {
		for _, s := range in.sinks {
			if err := s.Handle(ctx, it.agent, results); err != nil {
				in.logs.Warn(in.log, "sink/"+it.agent, "sink failed; message will be redelivered",
					"agent", it.agent, "subject", it.msg.Subject(), "delay", in.opts.SinkRetryDelay, "err", err)
				in.retry(it)
				return
			}
		}
	}
	_ = it.msg.Ack()
	if it.id != "" {
		in.recent.add(recentKey(it.agent, it.id), in.opts.Now())
	}
	switch {
	case len(it.drops) == 0:
		in.m.messages.WithLabelValues(outcomeOK).Inc()
	case len(results) > 0:
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
