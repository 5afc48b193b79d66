package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// pullLoop pulls batches of messages, turns each into a unit and hands it
// on, until ctx ends. The send on out blocks while the writer is busy: that
// is the backpressure that keeps at most three pulls in memory.
func (in *Ingester) pullLoop(ctx context.Context, cons jetstream.Consumer, out chan<- *unit) {
	for attempt := 0; ctx.Err() == nil; {
		msgs, err := in.pull(ctx, cons)
		if err != nil {
			in.m.fetchErrors.Inc()
			in.stalled()
			if in.fetch.failed(time.Now(), err) {
				in.log.Error("pulling from JetStream failed; retrying", "err", err)
			}
			t := time.NewTimer(min(100*time.Millisecond<<min(attempt, 6), 5*time.Second))
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
			attempt++
			continue
		}
		attempt = 0
		if since := in.fetch.ok(); !since.IsZero() {
			in.log.Info("pulling from JetStream recovered", "failed_for", time.Since(since).Round(time.Millisecond))
		}
		if len(msgs) == 0 {
			in.m.pending.Set(0)
			in.idle(ctx, cons)
			continue
		}
		in.m.fetchMessages.Observe(float64(len(msgs)))
		var m mark
		if md, err := msgs[len(msgs)-1].Metadata(); err == nil {
			in.m.pending.Set(float64(md.NumPending))
			m = mark{at: md.Timestamp, caughtUp: md.NumPending == 0}
		}
		in.caughtUp = m.caughtUp
		u := in.prepare(msgs)
		if in.prog != nil {
			u.seq, u.mark = in.prog.pulled(), m
		}
		in.inflight.add(u)
		out <- u
	}
}

// idle reports to Options.Progress, after an empty pull, that the
// consumer is caught up, once it is: an empty pull alone does not say so
// (a consumer whose stream leader moves delivers nothing for a while), so
// the consumer is asked, but only until it reported none pending.
func (in *Ingester) idle(ctx context.Context, cons jetstream.Consumer) {
	if in.prog == nil || in.caughtUp {
		return
	}
	ictx, cancel := context.WithTimeout(ctx, in.opts.FetchMaxWait)
	defer cancel()
	info, err := cons.Info(ictx)
	if err != nil || info.NumPending != 0 {
		return
	}
	in.caughtUp = true
	in.prog.done(in.prog.pulled(), mark{caughtUp: true})
}

// stalled reports to Options.Progress, when a pull fails while the
// consumer was caught up, that it no longer is: everything that reached
// the stream until now was fed, and what reaches it while the pulls fail
// (an external NATS cluster out of reach of this controller, not of the
// agents) is judged by its arrival once it is pulled, not refused as late
// for the wait.
func (in *Ingester) stalled() {
	if in.prog == nil || !in.caughtUp {
		return
	}
	in.caughtUp = false
	in.prog.done(in.prog.pulled(), mark{at: in.opts.Now()})
}

// pull returns as soon as messages are there: it waits at most
// FetchMaxWait for a first one, then takes what else is already waiting,
// up to FetchBatch messages and about FetchMaxBytes, without waiting for
// more. So a message is handed on as soon as it arrives (no pull waits
// for a batch to fill: that wait was added to every detection), while a
// backlog still comes in pulls of FetchBatch.
//
// Every pull it makes is finished, not cut, when ctx ends: messages the
// server already sent for it would otherwise be stranded until AckWait,
// and the ingest keeps pulling even while InfluxDB is down.
func (in *Ingester) pull(ctx context.Context, cons jetstream.Consumer) ([]jetstream.Msg, error) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), in.opts.FetchMaxWait)
	defer cancel()
	msgs := make([]jetstream.Msg, 0, in.opts.FetchBatch)
	msgs, size, err := collect(msgs, 0, func() (jetstream.MessageBatch, error) {
		return cons.Fetch(1, jetstream.FetchContext(fctx))
	})
	if err != nil || len(msgs) == 0 {
		return msgs, err
	}
	// Top up with what is waiting, in no-wait pulls small enough that the
	// next one cannot take the pull past FetchMaxBytes even if every
	// message were as large as the server allows.
	largest := int(in.nc.MaxPayload())
	if largest <= 0 {
		largest = 1 << 20 // not connected just now: NATS's default max_payload
	}
	for len(msgs) < in.opts.FetchBatch {
		n := min(in.opts.FetchBatch-len(msgs), (in.opts.FetchMaxBytes-size)/largest)
		if n <= 0 {
			break
		}
		before := len(msgs)
		msgs, size, err = collect(msgs, size, func() (jetstream.MessageBatch, error) { return cons.FetchNoWait(n) })
		if err != nil || len(msgs)-before < n {
			break // nothing more waiting (or the top-up failed: keep what arrived)
		}
	}
	return msgs, nil
}

// collect runs one pull and appends its messages to msgs, adding their
// payload sizes to size. An expired or empty pull is how an idle stream
// looks, and a cancelled one is shutdown: neither is a failure, and what
// did arrive is kept.
func collect(msgs []jetstream.Msg, size int, fetch func() (jetstream.MessageBatch, error)) ([]jetstream.Msg, int, error) {
	b, err := fetch()
	if err != nil {
		return msgs, size, err
	}
	n := len(msgs)
	for m := range b.Messages() {
		msgs = append(msgs, m)
		size += len(m.Data())
	}
	err = b.Error()
	if err == nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) || len(msgs) > n {
		return msgs, size, nil
	}
	return msgs, size, err
}

// failStreak remembers since when an operation keeps failing.
type failStreak struct {
	mu      sync.Mutex
	since   time.Time
	lastErr error
}

// failed records a failure and reports whether it starts a streak (log it).
func (f *failStreak) failed(now time.Time, err error) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastErr = err
	if f.since.IsZero() {
		f.since = now
		return true
	}
	return false
}

// ok ends a streak and returns when it had started (zero: there was none).
func (f *failStreak) ok() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	since := f.since
	f.since, f.lastErr = time.Time{}, nil
	return since
}

func (f *failStreak) unhealthy(now time.Time, after time.Duration, what string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.since.IsZero() || now.Sub(f.since) < after {
		return nil
	}
	return fmt.Errorf("%s failing since %s: %v", what, f.since.UTC().Format(time.RFC3339), f.lastErr)
}
