package waitfor_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/waitfor"
)

// recorder is a testing.TB whose Fatalf records the message and ends the
// goroutine as the real one does, so the failure path can be tested.
type recorder struct {
	testing.TB
	deadline time.Time
	failed   string
}

func (r *recorder) Helper()          {}
func (r *recorder) Cleanup(f func()) { r.TB.Cleanup(f) }
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Deadline() (time.Time, bool) { return r.deadline, !r.deadline.IsZero() }

// run calls f with r on its own goroutine (Fatalf ends it) and waits.
func run(r *recorder, f func(testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

func TestPollReturnsOnceMet(t *testing.T) {
	n := 0
	waitfor.Until(t, "third call", func() error {
		if n++; n < 3 {
			return fmt.Errorf("call %d", n)
		}
		return nil
	})
	if n != 3 {
		t.Fatalf("cond called %d times, want 3", n)
	}
}

// A wait that cannot succeed fails the test naming what it waited for and
// the condition's last reason.
func TestPollFailsNamingWhatAndWhy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the deadline has passed: one look, then fail
	r := &recorder{TB: t}
	run(r, func(tb testing.TB) {
		waitfor.Poll(tb, ctx, time.Millisecond, "agent edge-7 online", func() error { return fmt.Errorf("state offline") })
	})
	if want := "agent edge-7 online: not met before the deadline: state offline"; r.failed != want {
		t.Fatalf("failure %q, want %q", r.failed, want)
	}
	// A test 5 s from its deadline has no time left to wait.
	r = &recorder{TB: t, deadline: time.Now().Add(5 * time.Second)}
	run(r, func(tb testing.TB) { waitfor.True(tb, "never", func() bool { return false }) })
	if r.failed != "never: not met before the deadline: still false" {
		t.Fatalf("True with a condition that never holds: %q", r.failed)
	}
}

// Waits end a margin before the test binary's own deadline, so they fail
// with their message rather than the binary panicking.
func TestDeadlineLeavesMarginBeforeTestDeadline(t *testing.T) {
	end := time.Now().Add(8 * time.Second)
	r := &recorder{TB: t, deadline: end}
	if got, want := waitfor.Deadline(r, time.Hour), end.Add(-5*time.Second); !got.Equal(want) {
		t.Fatalf("deadline %s, want %s (5 s before the test's)", got, want)
	}
	r = &recorder{TB: t}
	if got := waitfor.Deadline(r, time.Hour); time.Until(got) < 59*time.Minute {
		t.Fatalf("without a test deadline, Deadline(1h) is only %s away", time.Until(got))
	}
}
