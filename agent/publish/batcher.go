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

	seq uint64
	// last holds the latest timestamp per series (measurement + tags), so
	// two results never share a point identity even if the config has two
	// probes producing the same series: the later one is moved by 1 ns
	// rather than silently overwriting the other in InfluxDB.
	last map[string]time.Time
}

// Run consumes in until it is closed or ctx ends, flushing what it holds.
func (b *Batcher) Run(ctx context.Context, in <-chan result.Result) {
	b.last = map[string]time.Time{}
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
	for {
		select {
		case <-ctx.Done():
			// Take what is already queued, then stop.
			for {
				select {
				case r, ok := <-in:
					if !ok {
						flush()
						return
					}
					pending = append(pending, b.unique(r))
					if len(pending) >= b.Max {
						flush()
					}
				default:
					flush()
					return
				}
			}
		case r, ok := <-in:
			if !ok {
				flush()
				return
			}
			pending = append(pending, b.unique(r))
			if len(pending) >= b.Max {
				flush()
			} else if !armed {
				timer.Reset(b.Delay)
				armed = true
			}
		case <-timer.C():
			armed = false
			flush()
		}
	}
}

func (b *Batcher) unique(r result.Result) result.Result {
	key := seriesKey(&r)
	if prev, ok := b.last[key]; ok && !r.Time.After(prev) {
		r.Time = prev.Add(time.Nanosecond)
	}
	b.last[key] = r.Time
	if len(b.last) > 1_000_000 {
		// A runaway series count (a misbehaving probe) must not grow memory
		// without bound; forgetting is safe because rounds are an interval apart.
		b.last = map[string]time.Time{}
	}
	return r
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
