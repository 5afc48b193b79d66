package remote

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// unreachableJS fails every bucket lookup, as JetStream does while the
// agent has no NATS connection, and counts the attempts.
type unreachableJS struct {
	jetstream.JetStream
	attempts atomic.Int32
}

func (j *unreachableJS) KeyValue(context.Context, string) (jetstream.KeyValue, error) {
	j.attempts.Add(1)
	return nil, errors.New("nats: connection not established")
}

// TestWatcherWakeEndsBackoff: after ten failed attempts the backoff alone
// would add up to about two minutes (1 s doubling to 30 s); a wake (NATS
// connected) after each failure makes the watcher retry at once. Before
// the watcher had a wake, an agent that booted or was exec'd by a
// self-update with NATS unreachable read its config up to 45 s after the
// connection came up, past a self-update trial's deadline.
func TestWatcherWakeEndsBackoff(t *testing.T) {
	js := &unreachableJS{}
	wake := make(chan struct{})
	w := NewWatcher(Options{Local: localConfig(t, filepath.Join(t.TempDir(), "remote.yaml")), JS: js,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Rand: rand.New(rand.NewSource(1)), Wake: wake})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	for js.attempts.Load() < 11 {
		select {
		case wake <- struct{}{}:
		case <-ctx.Done():
			t.Fatalf("%d attempts in 10 s: the wake did not cut the backoff short", js.attempts.Load())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	<-done
}
