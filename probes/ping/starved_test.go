package ping

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/schedule"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/lab"
	prometheus "github.com/vantage-net/vantage/internal/metrics"
	"github.com/vantage-net/vantage/probes/probe"
)

// starvedAgent is the agent's scheduler driving the shared engine on a
// fake clock, over a fake socket whose targets answer at once and whose
// reader takes a packet only when the test lets it: an agent whose
// reader is kept from the CPU.
type starvedAgent struct {
	clk     *clock.Fake
	conn    *fakeConn
	engine  *Engine
	reg     *prometheus.Registry
	started atomic.Int64

	mu      sync.Mutex
	samples []probe.Sample
	skipped map[schedule.SkipReason]int
}

func newStarvedAgent(t *testing.T, ctx context.Context, targets int, timeout time.Duration) *starvedAgent {
	t.Helper()
	a := &starvedAgent{clk: clock.NewFake(time.Unix(1_700_000_000, 0)), skipped: map[schedule.SkipReason]int{}}
	a.conn = &fakeConn{written: make(chan []byte, 1), replies: make(chan fakePacket, 100*targets),
		gate: make(chan struct{}), closed: make(chan struct{}), echoAt: a.clk}
	m := newEngineMetrics()
	a.reg = prometheus.NewRegistry()
	if err := m.register(a.reg); err != nil {
		t.Fatal(err)
	}
	a.engine = startEngine(&socket{conn: a.conn, raw: true}, m, a.clk)
	p := &Prober{opts: Options{Count: 1, PacketInterval: time.Second, Size: 56}, engine: a.engine}
	specs := make([]schedule.JobSpec, targets)
	names := make([]string, targets)
	for i := range specs {
		specs[i] = schedule.JobSpec{Interval: time.Second, Timeout: timeout}
		names[i] = fmt.Sprintf("198.18.%d.%d", i/250, i%250+1)
	}
	r := &schedule.Runner{
		Plan:  schedule.NewPlan(a.clk.Now(), specs, rand.New(rand.NewSource(1)), nil),
		Clock: a.clk,
		Run: func(context.Context, schedule.Round) bool {
			t.Error("a round ran in a goroutine of its own")
			return false
		},
		Begin: func(rd schedule.Round, end func(func() bool)) bool {
			ok := p.Start(names[rd.Job], timeout, func(s []probe.Sample) {
				end(func() bool {
					a.mu.Lock()
					defer a.mu.Unlock()
					a.samples = append(a.samples, s...)
					return s[0].Error != ""
				})
			})
			a.started.Add(1)
			return ok
		},
		Skipped: func(rd schedule.Round) {
			a.mu.Lock()
			a.skipped[rd.Skip]++
			a.mu.Unlock()
		},
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); r.Start(rctx) }()
	t.Cleanup(func() {
		// The reader may owe packets; let it have them so the runner's
		// rounds end and it returns.
		close(a.conn.gate)
		cancel()
		a.engine.Close() // ends what is left, so the runner can return
		<-done
	})
	return a
}

// outstanding is the engine's rounds not yet ended.
func (a *starvedAgent) outstanding() int {
	a.engine.mu.Lock()
	defer a.engine.mu.Unlock()
	n := len(a.engine.timers)
	for _, r := range a.engine.held {
		if !r.over {
			n++
		}
	}
	return n
}

// settle waits until both of the fake clock's users (the runner and the
// engine's loop) have handled what the last Advance fired and re-armed.
func (a *starvedAgent) settle(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := a.clk.BlockUntil(ctx, 2); err != nil {
		t.Fatal(err)
	}
}

// An agent whose reader is kept from the CPU past its rounds' deadlines
// does not report replies the kernel received in time as lost, holds one
// record per target however far behind it is, no goroutine per round,
// and counts the slots it could not start as skipped (busy), not lost.
// Before, each round was a goroutine that gave up 100 ms after its
// deadline: at 20,000 targets under CPU pressure that was 7–66% "loss"
// and 223–377 MB of stacks (docs/BENCHMARKS.md).
func TestStarvedReaderSkipsSlotsInsteadOfLosingReplies(t *testing.T) {
	const targets = 200
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	goroutines := runtime.NumGoroutine()
	a := newStarvedAgent(t, ctx, targets, 500*time.Millisecond)

	// Every target's first slot comes due; each round writes its request
	// and the kernel queues the reply at once. The reader does not run.
	a.settle(t, ctx)
	a.clk.Advance(time.Second)
	lab.WaitFor(t, ctx, time.Millisecond, func() error {
		if n := a.started.Load(); n != targets {
			return fmt.Errorf("%d of %d rounds started", n, targets)
		}
		return nil
	})
	// Past every deadline (500 ms) and most next slots, the reader still
	// not run: the rounds wait for it, and their targets' next slots are
	// skipped, not started on top of them.
	for i := 0; i < 19; i++ {
		a.settle(t, ctx)
		a.clk.Advance(50 * time.Millisecond)
	}
	a.settle(t, ctx)
	if n := a.outstanding(); n != targets {
		t.Fatalf("%d rounds outstanding with the reader behind, want one per target (%d)", n, targets)
	}
	if n := runtime.NumGoroutine() - goroutines; n > 10 {
		t.Fatalf("%d goroutines more than before for %d outstanding rounds", n, targets)
	}
	a.mu.Lock()
	ended, busy := len(a.samples), a.skipped[schedule.SkipBusy]
	a.mu.Unlock()
	if ended != 0 || busy == 0 {
		t.Fatalf("reader starved 950 ms: %d rounds ended, %d slots skipped busy; want 0 ended and some skipped", ended, busy)
	}

	// The reader gets the CPU: every reply was received in time.
	for i := 0; i < targets; i++ {
		a.conn.gate <- struct{}{}
	}
	lab.WaitFor(t, ctx, time.Millisecond, func() error {
		a.mu.Lock()
		defer a.mu.Unlock()
		if len(a.samples) != targets {
			return fmt.Errorf("%d of %d rounds ended", len(a.samples), targets)
		}
		return nil
	})
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.samples {
		if s.Error != "" || s.Fields["recv"] != 1 {
			t.Fatalf("round with its reply received in time: %+v", s)
		}
	}
	got := engineCounters(t, a.reg)
	if got["requests_unanswered_total"] != 0 || got["replies_total"] != targets {
		t.Fatalf("counters %v", got)
	}
	for reason, n := range a.skipped {
		if reason != schedule.SkipBusy {
			t.Fatalf("%d slots skipped for reason %d, want only busy", n, reason)
		}
	}
}

// A reader that never catches up holds a round no longer than the grace
// after its deadline: then its requests are unanswered, and the memory
// goes with it.
func TestHeldRoundEndsAfterGrace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := newStarvedAgent(t, ctx, 1, 500*time.Millisecond)
	a.settle(t, ctx)
	a.clk.Advance(time.Second)
	lab.WaitFor(t, ctx, time.Millisecond, func() error {
		if a.started.Load() != 1 {
			return errors.New("round not started")
		}
		return nil
	})
	a.settle(t, ctx)
	a.clk.Advance(500*time.Millisecond + a.engine.grace)
	lab.WaitFor(t, ctx, time.Millisecond, func() error {
		if n := a.outstanding(); n != 0 {
			return fmt.Errorf("%d rounds outstanding after deadline and grace", n)
		}
		return nil
	})
	lab.WaitFor(t, ctx, time.Millisecond, func() error {
		if got := engineCounters(t, a.reg); got["requests_unanswered_total"] != 1 {
			return fmt.Errorf("counters %v", got)
		}
		return nil
	})
}

// Start leaves what the engine cannot run to Probe.
func TestStartLeavesNamesAndIPv6ToProbe(t *testing.T) {
	e := startEngine(&socket{conn: newFakeConn(), raw: true}, nil, clock.Real{})
	defer e.Close()
	p := &Prober{opts: defaultOptions(), engine: e}
	for _, target := range []string{"cpe.example", "2001:db8::1"} {
		if p.Start(target, time.Second, func([]probe.Sample) { t.Error("done called") }) {
			t.Fatalf("Start(%q) took the round", target)
		}
	}
	if (&Prober{opts: defaultOptions()}).Start("198.18.0.1", time.Second, nil) {
		t.Fatal("a pro-bing prober took the round")
	}
}
