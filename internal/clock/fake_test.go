package clock_test

import (
	"context"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/waitfor"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// The race BlockUntil closes: a goroutine that arms its timer after the
// test advanced the clock arms it relative to the new time, and it never
// fires. BlockUntil does not report success before the timer exists, and
// returns once it does.
func TestBlockUntilWaitsForTheTimer(t *testing.T) {
	clk := clock.NewFake(t0)
	release := make(chan struct{})
	fired := make(chan time.Time, 1)
	go func() {
		<-release
		tm := clk.NewTimer(time.Minute)
		fired <- <-tm.C()
	}()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := clk.BlockUntil(ctx, 1); err == nil {
		t.Fatal("BlockUntil returned nil before any timer was armed")
	}
	close(release)
	waitfor.Timers(t, clk, 1)
	clk.Advance(time.Minute)
	select {
	case got := <-fired:
		if !got.Equal(t0.Add(time.Minute)) {
			t.Fatalf("timer fired with %s", got)
		}
	case <-waitfor.Context(t, 10*time.Second).Done():
		t.Fatal("the armed timer did not fire when the clock passed it")
	}
}

func TestFakeTimer(t *testing.T) {
	clk := clock.NewFake(t0)
	tm := clk.NewTimer(5 * time.Second)
	if clk.Armed() != 1 {
		t.Fatalf("armed %d after NewTimer", clk.Armed())
	}
	clk.Advance(4 * time.Second)
	if len(tm.C()) != 0 {
		t.Fatal("fired early")
	}
	clk.Advance(time.Second)
	if got := <-tm.C(); !got.Equal(t0.Add(5*time.Second)) || clk.Armed() != 0 {
		t.Fatalf("fired %s, armed %d", got, clk.Armed())
	}
	tm.Reset(time.Second)
	if !tm.Stop() || tm.Stop() || clk.Armed() != 0 {
		t.Fatal("Stop should report armed once, then not")
	}
	clk.Advance(time.Hour)
	if len(tm.C()) != 0 {
		t.Fatal("a stopped timer fired")
	}
	if now := <-clk.NewTimer(0).C(); !now.Equal(clk.Now()) {
		t.Fatal("NewTimer(0) should fire at once, as time.NewTimer does")
	}
}

// A ticker fires every period as Advance passes it; several periods in
// one Advance give one tick (a slow reader loses ticks, as with
// time.Ticker), and Stop and Reset disarm and re-arm it.
func TestFakeTicker(t *testing.T) {
	clk := clock.NewFake(t0)
	tk := clk.NewTicker(10 * time.Second)
	clk.Advance(25 * time.Second)
	if got := <-tk.C(); !got.Equal(t0.Add(25*time.Second)) || len(tk.C()) != 0 {
		t.Fatalf("first tick %s, %d more queued", got, len(tk.C()))
	}
	clk.Advance(4 * time.Second) // next period ends at 30 s
	if len(tk.C()) != 0 {
		t.Fatal("ticked before its period")
	}
	clk.Advance(time.Second)
	if got := <-tk.C(); !got.Equal(t0.Add(30 * time.Second)) {
		t.Fatalf("second tick %s", got)
	}
	if clk.Armed() != 1 {
		t.Fatalf("a ticker stays armed: %d", clk.Armed())
	}
	tk.Stop()
	clk.Advance(time.Hour)
	if len(tk.C()) != 0 || clk.Armed() != 0 {
		t.Fatal("a stopped ticker ticked or stayed armed")
	}
	tk.Reset(time.Second)
	clk.Advance(time.Second)
	if len(tk.C()) != 1 {
		t.Fatal("reset ticker did not tick")
	}
	var _ clock.Clock = clock.Real{}
	var _ clock.Clock = clk
}
