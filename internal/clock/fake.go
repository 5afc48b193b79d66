package clock

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Fake is a manual clock for tests. Timers and tickers fire when Advance
// passes them, never on their own, so a test decides exactly when the code
// under test sees time go by.
//
// A test that advances the clock must first know that the code under test
// has armed the timer it means to fire: a goroutine that has not yet
// reached NewTimer (or Reset) would arm it after the Advance, relative to
// the new time, and never fire. BlockUntil waits for that.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	// armed changes are broadcast by closing wake (and replacing it).
	wake chan struct{}
}

// NewFake returns a fake clock set to start.
func NewFake(start time.Time) *Fake { return &Fake{now: start, wake: make(chan struct{})} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves time forward and fires every timer and ticker that came
// due. A ticker that missed several periods fires once, as time.Ticker
// drops ticks for a slow reader.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	now := f.now
	var due []*fakeTimer
	for _, t := range f.timers {
		if !t.active || t.at.After(now) {
			continue
		}
		due = append(due, t)
		if t.period > 0 {
			for !t.at.After(now) {
				t.at = t.at.Add(t.period)
			}
		} else {
			t.active = false
		}
	}
	if len(due) > 0 {
		f.changedLocked()
	}
	f.mu.Unlock()
	for _, t := range due {
		select {
		case t.c <- now:
		default:
		}
	}
}

// BlockUntil waits until at least n timers and tickers are armed (created
// or reset and neither fired nor stopped), or ctx ends. Call it before
// Advance when the code under test arms its timer from another goroutine.
// "At least", not "exactly": a test need not know every timer the code
// keeps, only that the one it is about to fire is there.
func (f *Fake) BlockUntil(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		armed, wake := f.armedLocked(), f.wake
		f.mu.Unlock()
		if armed >= n {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("fake clock: %d timers armed, waited for %d: %w", armed, n, ctx.Err())
		}
	}
}

// Armed is how many timers and tickers are armed now.
func (f *Fake) Armed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.armedLocked()
}

func (f *Fake) armedLocked() int {
	n := 0
	for _, t := range f.timers {
		if t.active {
			n++
		}
	}
	return n
}

func (f *Fake) changedLocked() {
	close(f.wake)
	f.wake = make(chan struct{})
}

// NewTimer returns a timer driven by Advance.
func (f *Fake) NewTimer(d time.Duration) Timer { return f.add(d, 0) }

// NewTicker returns a ticker driven by Advance.
func (f *Fake) NewTicker(d time.Duration) Ticker {
	if d <= 0 {
		panic("clock: non-positive interval for NewTicker") // as time.NewTicker
	}
	return fakeTicker{f.add(d, d)}
}

// fakeTicker is a ticker's face of fakeTimer: its Stop reports nothing.
type fakeTicker struct{ t *fakeTimer }

func (k fakeTicker) C() <-chan time.Time { return k.t.c }
func (k fakeTicker) Stop()               { k.t.Stop() }
func (k fakeTicker) Reset(d time.Duration) {
	if d <= 0 {
		panic("clock: non-positive interval for Ticker.Reset") // as time.Ticker
	}
	k.t.Reset(d)
}

func (f *Fake) add(d, period time.Duration) *fakeTimer {
	f.mu.Lock()
	t := &fakeTimer{f: f, c: make(chan time.Time, 1), at: f.now.Add(d), period: period, active: true}
	f.timers = append(f.timers, t)
	f.changedLocked()
	f.mu.Unlock()
	if period == 0 && d <= 0 {
		t.fireIfDue()
	}
	return t
}

// fakeTimer is a Fake's timer (period 0) or ticker.
type fakeTimer struct {
	f      *Fake
	c      chan time.Time
	at     time.Time
	period time.Duration
	active bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

// Stop disarms the timer; for a timer it reports whether it was armed.
func (t *fakeTimer) Stop() bool {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	was := t.active
	t.active = false
	t.f.changedLocked()
	return was
}

// Reset re-arms the timer to fire d from now (a ticker: every d).
func (t *fakeTimer) Reset(d time.Duration) {
	t.f.mu.Lock()
	t.at = t.f.now.Add(d)
	if t.period > 0 {
		t.period = d
	}
	t.active = true
	t.f.changedLocked()
	t.f.mu.Unlock()
	if t.period == 0 && d <= 0 {
		t.fireIfDue()
	}
}

// fireIfDue fires a timer armed with a non-positive duration at once, as
// time.NewTimer(0) does.
func (t *fakeTimer) fireIfDue() {
	t.f.mu.Lock()
	if !t.active || t.at.After(t.f.now) {
		t.f.mu.Unlock()
		return
	}
	t.active = false
	now := t.f.now
	t.f.changedLocked()
	t.f.mu.Unlock()
	select {
	case t.c <- now:
	default:
	}
}
