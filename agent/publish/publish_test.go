package publish

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/probes/result"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func ping(target string, at time.Time) result.Result {
	return result.Result{Time: at, Measurement: "ping", Tags: map[string]string{"target": target},
		Fields: map[string]float64{"sent": 1, "recv": 1}}
}

func runBatcher(t *testing.T, b *Batcher, rs []result.Result) {
	t.Helper()
	in := make(chan result.Result, len(rs))
	for _, r := range rs {
		in <- r
	}
	close(in)
	b.Run(context.Background(), in)
}

func decodeAll(t *testing.T, q *MemQueue) []result.Result {
	t.Helper()
	var out []result.Result
	for {
		m, ok := q.Peek()
		if !ok {
			return out
		}
		q.Pop()
		b, err := result.Decode(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Results) != m.Results {
			t.Fatalf("message says %d results, holds %d", m.Results, len(b.Results))
		}
		out = append(out, b.Results...)
	}
}

func TestBatcherKeepsPointIdentityUnique(t *testing.T) {
	q := NewMemQueue(1000, nil)
	b := &Batcher{Agent: "a1", Max: 10, Delay: time.Second, Queue: q, Clock: clock.Real{}, IDPrefix: "e", Logger: quiet}
	// Two probes with the same series at the same slot, and another series.
	runBatcher(t, b, []result.Result{ping("x", t0), ping("x", t0), ping("y", t0)})
	got := decodeAll(t, q)
	if len(got) != 3 {
		t.Fatalf("%d results", len(got))
	}
	if !got[1].Time.Equal(t0.Add(time.Nanosecond)) || !got[0].Time.Equal(t0) || !got[2].Time.Equal(t0) {
		t.Fatalf("times %v %v %v", got[0].Time, got[1].Time, got[2].Time)
	}
}

func TestBatcherSplitsAtMaxAndNumbersMessages(t *testing.T) {
	q := NewMemQueue(1000, nil)
	b := &Batcher{Agent: "a1", Max: 4, Delay: time.Second, Queue: q, Clock: clock.Real{}, IDPrefix: "e", Logger: quiet}
	var rs []result.Result
	for i := 0; i < 10; i++ {
		rs = append(rs, ping("x", t0.Add(time.Duration(i)*time.Second)))
	}
	runBatcher(t, b, rs)
	var ids []string
	var sizes []int
	for {
		m, ok := q.Peek()
		if !ok {
			break
		}
		ids = append(ids, m.ID)
		sizes = append(sizes, m.Results)
		q.Pop()
	}
	if len(ids) != 3 || ids[0] != "a1-e-1" || ids[2] != "a1-e-3" || sizes[0] != 4 || sizes[2] != 2 {
		t.Fatalf("ids %v sizes %v", ids, sizes)
	}
}

func TestQueueDropsOldestAndCountsExactly(t *testing.T) {
	dropped := 0
	q := NewMemQueue(10, func(n int) { dropped += n })
	for i := 0; i < 8; i++ {
		q.Push(Message{ID: string(rune('a' + i)), Results: 3})
	}
	// 8 messages × 3 = 24 results offered, bound 10: the head is kept (it
	// may be in flight), the newest kept, the oldest after the head dropped.
	if q.Results()+dropped != 24 {
		t.Fatalf("queued %d + dropped %d != 24", q.Results(), dropped)
	}
	if q.Results() > 10+3 {
		t.Fatalf("queue holds %d results", q.Results())
	}
	m, _ := q.Peek()
	if m.ID != "a" {
		t.Fatalf("head %q, want the oldest kept as head", m.ID)
	}
}

// fakeJS fails the first n publishes, then acks, recording message ids.
type fakeJS struct {
	mu    sync.Mutex
	fails int
	ids   []string
}

func (f *fakeJS) PublishMsg(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return nil, errors.New("nats: no responders available for request")
	}
	f.ids = append(f.ids, msg.Subject)
	return &jetstream.PubAck{Stream: "VANTAGE_RESULTS"}, nil
}

func TestSenderRetriesUntilAckedInOrder(t *testing.T) {
	q := NewMemQueue(1000, nil)
	for i := 0; i < 5; i++ {
		q.Push(Message{ID: string(rune('a' + i)), Data: []byte("{}"), Results: 2})
	}
	js := &fakeJS{fails: 3}
	var mu sync.Mutex
	published, failed := 0, 0
	s := &Sender{Subject: "vantage.results.a1", JS: js, Queue: q, Timeout: time.Second, Logger: quiet,
		Rand:      rand.New(rand.NewSource(1)),
		Published: func(n int) { mu.Lock(); published += n; mu.Unlock() },
		Failed:    func(error) { mu.Lock(); failed++; mu.Unlock() }}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go s.Run(ctx)
	for {
		mu.Lock()
		p := published
		mu.Unlock()
		if p == 10 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("published %d of 10", p)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if failed != 3 || q.Results() != 0 {
		t.Fatalf("failed %d, queued %d", failed, q.Results())
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	d := time.Duration(0)
	for i := 0; i < 30; i++ {
		d = nextBackoff(d, rng)
		if d <= 0 || d > 45*time.Second {
			t.Fatalf("step %d: %s", i, d)
		}
	}
	if d < 15*time.Second {
		t.Fatalf("backoff after 30 failures is %s, want near the 30s cap", d)
	}
}

// TestSenderWakeEndsBackoff: after ten failures the backoff alone would
// add up to about a minute; a wake (NATS reconnected) after each failure
// makes the sender retry at once, so the queue drains long before that.
func TestSenderWakeEndsBackoff(t *testing.T) {
	q := NewMemQueue(1000, nil)
	q.Push(Message{ID: "a", Data: []byte("{}"), Results: 1})
	js := &fakeJS{fails: 10}
	wake := make(chan struct{})
	s := &Sender{Subject: "vantage.results.a1", JS: js, Queue: q, Timeout: time.Second, Logger: quiet,
		Rand: rand.New(rand.NewSource(1)), Wake: wake}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go s.Run(ctx)
	for q.Results() > 0 {
		select {
		case wake <- struct{}{}:
		case <-ctx.Done():
			t.Fatal("still queued after 10 s: the wake did not cut the backoff short")
		case <-time.After(10 * time.Millisecond):
		}
	}
}
