package schedule

import (
	"context"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

// Rounds begun without a goroutine are waited for on shutdown like the
// others, and their results delivered (finish called on the runner's
// goroutine): a stop must not lose the rounds in flight.
func TestRunnerWaitsForBegunRounds(t *testing.T) {
	fc := clock.NewFake(t0)
	const n = 3
	jobs := make([]JobSpec, n)
	for i := range jobs {
		jobs[i] = JobSpec{Interval: time.Second}
	}
	var mu sync.Mutex
	var ends []func(func() bool)
	delivered := 0
	r := &Runner{Plan: NewPlan(t0, jobs, rand.New(rand.NewSource(1)), nil), Clock: fc,
		Run: func(context.Context, Round) bool { t.Error("round ran in a goroutine"); return false },
		Begin: func(_ Round, end func(func() bool)) bool {
			mu.Lock()
			ends = append(ends, end)
			mu.Unlock()
			return true
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { r.Start(ctx); close(stopped) }()
	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	if err := fc.BlockUntil(wait, 1); err != nil {
		t.Fatal(err)
	}
	fc.Advance(time.Second)
	for {
		mu.Lock()
		k := len(ends)
		mu.Unlock()
		if k == n {
			break
		}
		select {
		case <-wait.Done():
			t.Fatalf("%d of %d rounds begun", k, n)
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	for _, end := range ends {
		end(func() bool { delivered++; return false }) // called on the runner's goroutine
	}
	<-stopped
	if delivered != n {
		t.Fatalf("%d of %d begun rounds delivered before Start returned", delivered, n)
	}
}
