package publish

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/probes/result"
)

// Batcher collects results into batches of at most Max results, waiting at
// most Delay for a batch to fill, encodes them and pushes them on the queue.
//
// A failing round of a series that had just succeeded does not wait for
// Delay (an urgent flush): it is the start of a possible outage, and the
// controller can open an incident only once it has seen FailRounds of
// them, so every millisecond it waits here is added to detection. The
// batch still takes whatever results are already queued behind it, so a
// PoP losing thousands of targets in one round sends a few large messages,
// not thousands of small ones.
type Batcher struct {
	Agent string
	Max   int
	Delay time.Duration
	Queue Queue
	Clock clock.Clock
	// IDPrefix makes message ids unique across agent restarts: a random
	// per-process epoch, so a restarted agent's first message is never taken
	// for a duplicate of the previous process's first message.
	IDPrefix string
	Logger   *slog.Logger
	// Dropped is told how many results could not be encoded (a bug, never
	// expected). Drops to stay within the queue's bound are the queue's to
	// report.
	Dropped func(n int)
	// UrgentRounds is how many failing rounds in a row of one series, after
	// a round of it that succeeded, are flushed at once (0: DefaultUrgentRounds).
	// Later failing rounds of that streak wait for Delay like any result:
	// by then the controller has long declared the line down.
	UrgentRounds int
	// Urgent, if set, is told about each urgent flush (a metric).
	Urgent func()

	seq uint64
	// series holds per series (measurement + tags) the latest timestamp,
	// so two results never share a point identity even if the config has
	// two probes producing the same series (the later one is moved by 1 ns
	// rather than silently overwriting the other in InfluxDB), and the
	// series' failure streak, for urgent flushes.
	series map[string]seriesState
}

// DefaultUrgentRounds covers the controller's default fail_rounds (3) and
// the confirmation rounds an agent adds after a failed round, with room
// for a fail_rounds raised a little.
const DefaultUrgentRounds = 10

// seriesState is what the batcher remembers of one series.
type seriesState struct {
	last time.Time
	// fails is how many rounds in a row failed since the last round that
	// succeeded; -1 while no round of the series has succeeded yet (a
	// failure then is not news: the agent may have started on a dead line).
	fails int
}

// Run consumes in until it is closed or ctx ends, flushing what it holds.
func (b *Batcher) Run(ctx context.Context, in <-chan result.Result) {
	b.series = map[string]seriesState{}
	if b.UrgentRounds <= 0 {
		b.UrgentRounds = DefaultUrgentRounds
	}
	var pending []result.Result
	timer := b.Clock.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	flush := func() {
		if len(pending) > 0 {
			b.flush(pending)
			pending = pending[:0]
		}
		if armed {
			timer.Stop()
			armed = false
		}
	}
	// add takes one result and reports whether it is urgent.
	add := func(r result.Result) bool {
		r, urgent := b.note(r)
		pending = append(pending, r)
		if len(pending) >= b.Max {
			flush()
		}
		return urgent
	}
	// drain takes what is already queued without waiting and reports
	// whether in is still open.
	drain := func() bool {
		for {
			select {
			case r, ok := <-in:
				if !ok {
					return false
				}
				add(r)
			default:
				return true
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			// Take what is already queued, then stop.
			drain()
			flush()
			return
		case r, ok := <-in:
			if !ok {
				flush()
				return
			}
			if add(r) {
				// Urgent: send now, with whatever is already queued behind it.
				open := drain()
				if len(pending) > 0 && b.Urgent != nil {
					b.Urgent()
				}
				flush()
				if !open {
					return
				}
			} else if len(pending) > 0 && !armed {
				timer.Reset(b.Delay)
				armed = true
			}
		case <-timer.C():
			armed = false
			flush()
		}
	}
}

// note keeps r's point identity unique within its series, updates the
// series' failure streak and reports whether r must leave at once.
func (b *Batcher) note(r result.Result) (result.Result, bool) {
	key := seriesKey(&r)
	st, seen := b.series[key]
	if !seen {
		st.fails = -1
	}
	if seen && !r.Time.After(st.last) {
		r.Time = st.last.Add(time.Nanosecond)
	}
	st.last = r.Time
	urgent := false
	switch roundOutcome(&r) {
	case roundOK:
		st.fails = 0
	case roundFailed:
		if st.fails >= 0 {
			st.fails++
			urgent = st.fails <= b.UrgentRounds
		}
	}
	if len(b.series) >= 1_000_000 && !seen {
		// A runaway series count (a misbehaving probe) must not grow memory
		// without bound; forgetting is safe because rounds are an interval
		// apart, and costs at worst one failure that is not flushed at once.
		clear(b.series)
	}
	b.series[key] = st
	return r, urgent
}

func seriesKey(r *result.Result) string {
	keys := make([]string, 0, len(r.Tags))
	for k := range r.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	sb.WriteString(r.Measurement)
	for _, k := range keys {
		sb.WriteByte(',')
		sb.WriteString(k)
		sb.WriteByte('=')
		sb.WriteString(r.Tags[k])
	}
	return sb.String()
}

func (b *Batcher) flush(rs []result.Result) {
	// Split so no message exceeds the size limit (big SNMP polls).
	for len(rs) > 0 {
		n := len(rs)
		for {
			batch := result.Batch{Agent: b.Agent, Results: rs[:n]}
			data, err := result.Encode(&batch)
			if err != nil {
				// Results are built by the agent's own code; an encode failure is
				// a bug, logged and counted as a drop rather than crashing probes.
				b.Logger.Error("encode batch", "err", err, "results", n)
				if b.Dropped != nil {
					b.Dropped(n)
				}
			} else if len(data) > result.MaxBatchBytes && n > 1 {
				n /= 2
				continue
			} else {
				b.seq++
				id := fmt.Sprintf("%s-%s-%d", b.Agent, b.IDPrefix, b.seq)
				b.Queue.Push(Message{ID: id, Data: data, Results: n})
			}
			break
		}
		rs = rs[n:]
	}
}
