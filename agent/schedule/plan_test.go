package schedule

import (
	"context"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPlanSpreadsTargetsEvenly(t *testing.T) {
	jobs := make([]JobSpec, 1000)
	for i := range jobs {
		jobs[i] = JobSpec{Interval: time.Second, Group: 0}
	}
	p := NewPlan(t0, jobs, rand.New(rand.NewSource(1)), nil)
	perMs := map[int64]int{}
	for _, e := range p.entries {
		perMs[e.next.Sub(t0).Milliseconds()]++
	}
	for k, n := range perMs {
		if n > 1 {
			t.Fatalf("%d jobs share millisecond %d", n, k)
		}
	}
	if len(perMs) != 1000 {
		t.Fatalf("jobs fill %d distinct ms of the second, want 1000", len(perMs))
	}
}

func render(rs []Round) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmtRound(r))
	}
	return out
}

func fmtRound(r Round) string {
	return string(rune('A'+r.Job)) + "@" + itoa(int(r.Slot.Sub(t0).Milliseconds()))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

func TestPlanTable(t *testing.T) {
	// Two targets of one probe at 1s (A at 0ms, B at 500ms after the group's
	// offset, which rng seed 0 with step 500ms makes deterministic) and a
	// nothing else.
	jobs := []JobSpec{{Interval: time.Second}, {Interval: time.Second}}
	p := NewPlan(t0, jobs, rand.New(rand.NewSource(7)), nil)
	// Round the group offsets to whole ms so the table reads in ms.
	for _, e := range p.entries {
		e.next = e.next.Truncate(time.Millisecond)
	}
	offA := int(p.entries[0].next.Sub(t0).Milliseconds())
	if got := int(p.entries[1].next.Sub(t0).Milliseconds()) - offA; got != 500 {
		t.Fatalf("B is %dms after A, want 500", got)
	}
	a := func(n int) string { return "A@" + itoa(offA+n) }
	b := func(n int) string { return "B@" + itoa(offA+500+n) }
	// Walk time explicitly so the expectations read as a timeline.
	check := func(at int, done []int, wantStart, wantSkip []string) {
		t.Helper()
		for _, j := range done {
			p.Done(Round{Job: j}, false, t0)
		}
		s, k := p.Due(t0.Add(ms(at)))
		if !equal(render(s), wantStart) || !equal(render(k), wantSkip) {
			t.Fatalf("at %dms: start %v skip %v, want start %v skip %v", at, render(s), render(k), wantStart, wantSkip)
		}
	}
	check(offA, nil, []string{a(0)}, nil)
	check(offA+500, nil, []string{b(0)}, nil)
	// A is still running at its next slot: skipped, not doubled.
	check(offA+1000, nil, nil, []string{a(1000)})
	// A and B finish; both run on their next slots.
	check(offA+1500, []int{0, 1}, []string{b(1000)}, nil)
	check(offA+2000, nil, []string{a(2000)}, nil)
	// A stall of 3.2 s: A ran at 2000 and is finished; it starts once at the
	// latest slot and the missed ones are skipped.
	p.Done(Round{Job: 0}, false, t0)
	p.Done(Round{Job: 1}, false, t0)
	s, k := p.Due(t0.Add(ms(offA + 5200)))
	var startsA, skipsA []string
	for _, r := range s {
		if r.Job == 0 {
			startsA = append(startsA, fmtRound(r))
		}
	}
	for _, r := range k {
		if r.Job == 0 {
			skipsA = append(skipsA, fmtRound(r))
		}
	}
	if !equal(startsA, []string{a(5000)}) || !equal(skipsA, []string{a(3000), a(4000)}) {
		t.Fatalf("after stall: A starts %v skips %v", startsA, skipsA)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRunnerSlowTargetDelaysNobody(t *testing.T) {
	fc := clock.NewFake(t0)
	jobs := []JobSpec{{Interval: time.Second}, {Interval: time.Second}}
	p := NewPlan(t0, jobs, rand.New(rand.NewSource(1)), nil)
	var mu sync.Mutex
	ran := map[int]int{}
	skips := 0
	block := make(chan struct{})
	r := &Runner{Plan: p, Clock: fc,
		Run: func(ctx context.Context, round Round) bool {
			mu.Lock()
			ran[round.Job]++
			mu.Unlock()
			if round.Job == 0 {
				<-block // job 0 hangs
			}
			return false
		},
		Skipped: func(Round) { mu.Lock(); skips++; mu.Unlock() },
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { r.Start(ctx); close(stopped) }()
	for i := 0; i < 50; i++ {
		time.Sleep(time.Millisecond) // let the runner reach its timer
		fc.Advance(100 * time.Millisecond)
	}
	// 5 s of fake time: job 1 ran about 5 times, job 0 once and then skipped.
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		r1, r0, sk := ran[1], ran[0], skips
		mu.Unlock()
		if r1 >= 4 && r0 == 1 && sk >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job1 ran %d, job0 ran %d, skips %d", r1, r0, sk)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(block)
	cancel()
	<-stopped
}
