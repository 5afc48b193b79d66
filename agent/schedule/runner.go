package schedule

import (
	"context"
	"sync"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

// Runner drives a Plan: it sleeps until the next slot, starts each due round
// (through Begin, or else in a goroutine of its own) and hears when it
// finishes.
type Runner struct {
	// Plan decides; Runner only acts.
	Plan *Plan
	// Clock is the time source (clock.Real in production).
	Clock clock.Clock
	// Run executes one round and reports whether it failed (nothing came
	// back: what confirmation probing follows up). It must return; the
	// caller bounds it with the probe's timeout.
	Run func(ctx context.Context, r Round) (failed bool)
	// Begin, when set, may start round r without a goroutine: it returns
	// true and calls end once, later, from any goroutine, with the rest of
	// the round (delivering its results, saying whether it failed), which
	// the runner then calls on its own goroutine. false leaves r to Run.
	// A round is then a record in the prober, not a goroutine stack: an
	// agent short of CPU whose rounds outlive their slots stays small.
	Begin func(r Round, end func(finish func() (failed bool))) bool
	// Skipped is told about every skipped slot and refused confirmation
	// round (Round.Skip; for metrics); may be nil.
	Skipped func(r Round)
	// Tick is the shortest sleep between two wake-ups. Rounds due within a
	// tick start together: with 5,000 targets a second, waking for every
	// 200 µs slot costs more CPU in the Go scheduler's sleep and wake-up
	// than the pings themselves (measured: docs/BENCHMARKS.md). A round's
	// event time stays its slot; only its start moves, by less than Tick.
	// Zero wakes for every slot.
	Tick time.Duration
}

// Start runs the schedule until ctx ends, then waits for running rounds.
func (r *Runner) Start(ctx context.Context) {
	type finished struct {
		round  Round
		failed bool
		finish func() bool
	}
	// Room for a slot round and a confirmation round of every job: the
	// most that can run at once, so no round ever waits to report.
	done := make(chan finished, 2*len(r.Plan.entries))
	var wg sync.WaitGroup
	defer wg.Wait()
	begun := 0 // rounds started through Begin, not yet heard of
	defer func() {
		for begun > 0 {
			if f := <-done; f.finish != nil {
				begun--
				f.finish()
			}
		}
	}()
	timer := r.Clock.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := r.Clock.Now()
		start, skipped := r.Plan.Due(now)
		for _, s := range skipped {
			if r.Skipped != nil {
				r.Skipped(s)
			}
		}
		for _, round := range start {
			if r.Begin != nil && r.Begin(round, func(f func() bool) { done <- finished{round: round, finish: f} }) {
				begun++
				continue
			}
			wg.Add(1)
			go func(round Round) {
				defer wg.Done()
				failed := r.Run(ctx, round)
				done <- finished{round: round, failed: failed}
			}(round)
		}
		wait := time.Hour
		next := r.Plan.Next()
		if !next.IsZero() {
			// From the clock's now, not the loop's: time that passed
			// meanwhile (a fake clock's Advance) must not delay the slot.
			wait = max(next.Sub(r.Clock.Now()), r.Tick)
		}
		timer.Stop()
		timer.Reset(wait)
		// Drain finished rounds until the timer fires, or until a failed
		// round scheduled a confirmation round before it.
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case f := <-done:
				if f.finish != nil {
					begun--
					f.failed = f.finish()
				}
				r.Plan.Done(f.round, f.failed, r.Clock.Now())
				if n := r.Plan.Next(); !n.IsZero() && (next.IsZero() || n.Before(next)) {
					break wait
				}
			case <-timer.C():
				break wait
			}
		}
	}
}
