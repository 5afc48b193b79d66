// Package waitfor is the tests' one wait-until helper: poll a condition
// until it holds, or fail the test, naming what was awaited and why it was
// not met, at a deadline derived from the test's own (go test -timeout), so
// a stuck wait fails with a message instead of a goroutine dump. It
// replaces time.Sleep-and-hope. Timers does the same for a clock.Fake:
// wait until the code under test has armed its timers before advancing.
//
// Every function here calls t.Fatalf on failure, so call them from the
// test's own goroutine.
package waitfor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

const (
	// DefaultMax bounds Until, True and Timers when the test has no nearer
	// deadline. Generous: a condition that holds returns at once, and only
	// a broken one waits this long.
	DefaultMax = 30 * time.Second
	// DefaultStep is how often Until and True poll.
	DefaultStep = 10 * time.Millisecond
	// margin is left before the test binary's own deadline for the failure
	// message and the test's cleanups.
	margin = 5 * time.Second
)

// Deadline is the earlier of now + max and a margin before the test's own
// deadline.
func Deadline(t testing.TB, max time.Duration) time.Time {
	d := time.Now().Add(max)
	if td, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if end, ok := td.Deadline(); ok && end.Add(-margin).Before(d) {
			d = end.Add(-margin)
		}
	}
	return d
}

// Context returns a context that ends at Deadline(t, max) and is cancelled
// when the test ends.
func Context(t testing.TB, max time.Duration) context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), Deadline(t, max))
	t.Cleanup(cancel)
	return ctx
}

// Poll calls cond every step until it returns nil, or fails the test when
// ctx ends: "<what>: not met before the deadline: <cond's last error>".
func Poll(t testing.TB, ctx context.Context, step time.Duration, what string, cond func() error) {
	t.Helper()
	tick := time.NewTicker(step)
	defer tick.Stop()
	for {
		last := cond()
		if last == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not met before the deadline: %v", what, last)
			return
		case <-tick.C:
		}
	}
}

// Until polls cond every DefaultStep for up to DefaultMax (less near the
// test's deadline); cond's error says what is still missing.
func Until(t testing.TB, what string, cond func() error) {
	t.Helper()
	Poll(t, Context(t, DefaultMax), DefaultStep, what, cond)
}

// True is Until for a condition that has no reason to give.
func True(t testing.TB, what string, cond func() bool) {
	t.Helper()
	Until(t, what, func() error {
		if cond() {
			return nil
		}
		return errStillFalse
	})
}

var errStillFalse = errors.New("still false")

// Timers waits until clk has at least n timers or tickers armed: the code
// under test has got to the point where advancing clk fires them.
func Timers(t testing.TB, clk *clock.Fake, n int) {
	t.Helper()
	if err := clk.BlockUntil(Context(t, DefaultMax), n); err != nil {
		t.Fatalf("waiting for the code under test to arm its timers: %v", err)
	}
}
