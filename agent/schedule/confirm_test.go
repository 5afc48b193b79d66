package schedule

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

// onePlan is one job at 1 s whose first slot is t0, with confirmation c.
func onePlan(c Confirm, b *Budget) *Plan {
	p := NewPlan(t0, []JobSpec{{Interval: time.Second, Confirm: c}}, rand.New(rand.NewSource(1)), b)
	p.entries[0].base, p.entries[0].next = t0, t0
	return p
}

// step is one line of a timeline: at `at` ms the job's running round
// finishes (done: "fail" or "ok", "" for nothing), then Due(at) runs.
type step struct {
	at   int
	done string
	want string // rounds started: "S@0" slot, "C1@800" confirmation, "" none
}

func runSteps(t *testing.T, p *Plan, steps []step) {
	t.Helper()
	var running Round
	for _, s := range steps {
		now := t0.Add(ms(s.at))
		if s.done != "" {
			p.Done(running, s.done == "fail", now)
		}
		start, _ := p.Due(now)
		got := ""
		for _, r := range start {
			got += roundName(r)
			running = r
		}
		if got != s.want {
			t.Fatalf("at %dms (after %q): started %q, want %q", s.at, s.done, got, s.want)
		}
	}
}

func roundName(r Round) string {
	d := r.Slot.Sub(t0)
	at := fmt.Sprint(d.Milliseconds())
	if d%time.Millisecond != 0 {
		at += "+" + (d % time.Millisecond).String()
	}
	if r.Confirm > 0 {
		return fmt.Sprintf("C%d@%s", r.Confirm, at)
	}
	return "S@" + at
}

var conf3 = Confirm{Interval: 200 * time.Millisecond, Rounds: 3}

func TestConfirmUntilConfirmedDown(t *testing.T) {
	// The slot at 0 fails at its 800-ms timeout: confirmation rounds follow
	// at once and every 200 ms. The one due at 1000 ms would share the
	// slot's time, so it runs 1 µs later and the slot is covered by it.
	// After k = 3 failed rounds (slot + 2 confirmations) the target is
	// confirmed down and the slots take over.
	runSteps(t, onePlan(conf3, NewBudget(100)), []step{
		{at: 0, want: "S@0"},
		{at: 800, done: "fail", want: "C1@800"},
		{at: 1000, done: "fail", want: ""}, // the slot at 1000 is covered
		{at: 1000, want: ""},
		{at: 1001, want: "C2@1000+1µs"},
		{at: 1200, done: "fail", want: ""},
		{at: 1999, want: ""},
		{at: 2000, want: "S@2000"},
		{at: 2800, done: "fail", want: ""}, // already confirmed down: no new sequence
		{at: 3000, want: "S@3000"},
	})
}

func TestConfirmStopsWhenAnswered(t *testing.T) {
	runSteps(t, onePlan(conf3, NewBudget(100)), []step{
		{at: 0, want: "S@0"},
		{at: 800, done: "fail", want: "C1@800"},
		{at: 805, done: "ok", want: ""}, // answered: sequence over
		{at: 1000, want: "S@1000"},
		{at: 1800, done: "fail", want: "C1@1800"}, // a new failure, a new sequence
	})
}

func TestConfirmWatchesForTheReturn(t *testing.T) {
	// With watch 600ms the confirmed-down target is still probed every
	// 200 ms until 600 ms after it was confirmed down.
	c := conf3
	c.Watch = 600 * time.Millisecond
	runSteps(t, onePlan(c, NewBudget(100)), []step{
		{at: 0, want: "S@0"},
		{at: 300, done: "fail", want: "C1@300"},
		{at: 500, done: "fail", want: "C2@500"},
		{at: 700, done: "fail", want: "C3@700"}, // down confirmed at 700: watching
		{at: 900, done: "fail", want: "C4@900"},
		{at: 1000, want: ""}, // slot covered
		{at: 1100, done: "fail", want: "C5@1100"},
		{at: 1300, done: "fail", want: ""}, // 600 ms watched: back to slots
		{at: 2000, want: "S@2000"},
		{at: 2300, done: "ok", want: ""},
		{at: 3000, want: "S@3000"},
		{at: 3300, done: "fail", want: "C1@3300"}, // answered in between: confirms again
	})
}

func TestConfirmOffWithoutRounds(t *testing.T) {
	runSteps(t, onePlan(Confirm{}, NewBudget(100)), []step{
		{at: 0, want: "S@0"},
		{at: 800, done: "fail", want: ""},
		{at: 1000, want: "S@1000"},
	})
}

func TestConfirmRefusedByBudget(t *testing.T) {
	// A budget of 0 refuses: the refusal is reported, the slots go on.
	p := onePlan(conf3, NewBudget(0))
	p.Due(t0)
	p.Done(Round{}, true, t0.Add(ms(800)))
	start, skipped := p.Due(t0.Add(ms(800)))
	if len(start) != 0 || len(skipped) != 1 || skipped[0].Skip != SkipBudget || skipped[0].Confirm != 1 {
		t.Fatalf("start %v skipped %+v, want one refused confirmation", start, skipped)
	}
	if start, _ := p.Due(t0.Add(ms(1000))); len(start) != 1 || start[0].Confirm != 0 {
		t.Fatalf("after the refusal: %+v, want the slot at 1000", start)
	}
}

// TestConfirmNeverOnASlot runs many jobs with random round lengths and
// outcomes and checks every job's event times: strictly increasing, and a
// confirmation round never at one of the job's slot times.
func TestConfirmNeverOnASlot(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	jobs := make([]JobSpec, 20)
	for i := range jobs {
		iv := time.Duration(200+rng.Intn(4)*200) * time.Millisecond
		// Half the jobs know their timeout: their confirmation rounds
		// start on suspicion, alongside the slot's round.
		jobs[i] = JobSpec{Interval: iv, Timeout: iv * 8 / 10 * time.Duration(i%2), Group: i % 3, Confirm: Confirm{Interval: iv / 4 * time.Duration(1+rng.Intn(4)), Rounds: 1 + rng.Intn(4), Watch: time.Duration(rng.Intn(3)) * time.Second}}
	}
	p := NewPlan(t0, jobs, rand.New(rand.NewSource(4)), NewBudget(1e9))
	type run struct {
		round Round
		end   time.Time
		ok    bool
	}
	var running []run
	last := map[int]time.Time{}
	confirms, overlapped := 0, 0
	for now := t0; now.Before(t0.Add(time.Minute)); now = now.Add(time.Millisecond) {
		kept := running[:0]
		for _, r := range running {
			if !r.end.After(now) {
				p.Done(r.round, !r.ok, now)
			} else {
				kept = append(kept, r)
			}
		}
		running = kept
		start, _ := p.Due(now)
		for _, r := range start {
			e := p.entries[r.Job]
			if !r.Slot.After(last[r.Job]) {
				t.Fatalf("job %d: round at %v not after the previous %v", r.Job, r.Slot, last[r.Job])
			}
			last[r.Job] = r.Slot
			if r.Confirm > 0 && e.running {
				overlapped++ // started on suspicion, alongside the slot's round
			}
			if r.Confirm > 0 {
				confirms++
				if r.Slot.Sub(e.base)%e.interval == 0 {
					t.Fatalf("job %d: confirmation round %d at a slot time %v", r.Job, r.Confirm, r.Slot)
				}
			}
			timeout := e.interval * 8 / 10
			if r.Confirm > 0 {
				timeout = min(timeout, e.conf.Interval)
			}
			// Round lengths in whole ms, so confirmation rounds often
			// come due exactly on a slot.
			length := time.Duration(1+rng.Intn(int(timeout/time.Millisecond))) * time.Millisecond
			running = append(running, run{round: r, end: now.Add(length), ok: rng.Intn(3) == 0})
		}
	}
	if confirms < 1000 {
		t.Fatalf("only %d confirmation rounds: the test did not exercise confirmation", confirms)
	}
	if overlapped < 10 {
		t.Fatalf("only %d confirmation rounds on suspicion: the test did not exercise overlapping rounds", overlapped)
	}
}

func TestBudgetServesHigherPrioritiesFirst(t *testing.T) {
	// 10 rounds a second; priorities 0 (standard) to 4 (ab_group). Every
	// 10 ms, a failed target of each priority asks for a fresh
	// confirmation: five times what the budget pays for. Over 10 s the
	// top priority gets about the whole refill, the others what it leaves.
	b := NewBudget(10)
	b.SetMaxPriority(4)
	got := make([]int, 5)
	for ms := 0; ms < 10_000; ms += 10 {
		now := t0.Add(time.Duration(ms) * time.Millisecond)
		for prio := 0; prio <= 4; prio++ {
			if b.Take(now, budgetLevel(prio, false)) {
				got[prio]++
			}
		}
	}
	total := got[0] + got[1] + got[2] + got[3] + got[4]
	if total > 10*10+10 {
		t.Fatalf("budget paid %d rounds in 10 s at 10/s (burst 10): %v", total, got)
	}
	if got[4] < 95 || got[0]+got[1]+got[2] > 5 {
		t.Fatalf("rounds by priority 0..4 = %v: the top priority must get nearly all", got)
	}
	// Alone, the lowest level (a standard line's watch rounds) still gets
	// the whole refill rate (less the reserve it may never touch).
	b = NewBudget(10)
	b.SetMaxPriority(4)
	n := 0
	for ms := 0; ms < 10_000; ms += 10 {
		if b.Take(t0.Add(time.Duration(ms)*time.Millisecond), budgetLevel(0, true)) {
			n++
		}
	}
	if n < 90 || n > 101 {
		t.Fatalf("alone, the lowest level got %d rounds in 10 s at 10/s", n)
	}
}

func TestBudgetStormOfFailures(t *testing.T) {
	// A PoP agent loses 5,000 targets at once (1 Hz, spread over the
	// second): the budget holds the confirmation rounds to its rate, and
	// the gold targets (priority 2) get them before the standard ones. (A
	// refused target is confirmed down by its own slots within k seconds
	// and asks no more, so demand fades after 3 s.)
	const n = 5000
	jobs := make([]JobSpec, n)
	for i := range jobs {
		jobs[i] = JobSpec{Interval: time.Second, Confirm: Confirm{Interval: 200 * time.Millisecond, Rounds: 3, Priority: 2 * (i % 2)}}
	}
	b := NewBudget(100)
	b.SetMaxPriority(2)
	p := NewPlan(t0, jobs, rand.New(rand.NewSource(5)), b)
	started := map[int]int{}
	refused := 0
	var ends []struct {
		round Round
		at    time.Time
	}
	for now := t0; now.Before(t0.Add(5 * time.Second)); now = now.Add(5 * time.Millisecond) {
		kept := ends[:0]
		for _, e := range ends {
			if !e.at.After(now) {
				p.Done(e.round, true, now) // every round fails
			} else {
				kept = append(kept, e)
			}
		}
		ends = kept
		start, skipped := p.Due(now)
		for _, r := range start {
			if r.Confirm > 0 {
				started[jobs[r.Job].Confirm.Priority]++
			}
			ends = append(ends, struct {
				round Round
				at    time.Time
			}{r, now.Add(150 * time.Millisecond)})
		}
		for _, r := range skipped {
			if r.Skip == SkipBudget {
				refused++
			}
		}
	}
	if total := started[0] + started[2]; total > 5*100+100 {
		t.Fatalf("%d confirmation rounds in 5 s with a budget of 100/s", total)
	}
	if started[2] < 250 || started[0] > started[2]/10 {
		t.Fatalf("confirmation rounds by priority: %v; gold must get nearly all", started)
	}
	if refused < n {
		t.Fatalf("%d refusals, want at least one per standard target", refused)
	}
}

func TestRunnerConfirmsBeforeTheNextSlot(t *testing.T) {
	// Through the Runner with a fake clock: a failing target gets its
	// confirmation rounds, marked 1 and 2, between two slots. Fake time
	// moves only here: each round blocks until the test has advanced the
	// clock by the round's length and releases it.
	fc := clock.NewFake(t0)
	p := NewPlan(t0, []JobSpec{{Interval: time.Second, Confirm: conf3}}, rand.New(rand.NewSource(1)), NewBudget(10))
	var mu sync.Mutex
	var got []Round
	release := make(chan struct{})
	r := &Runner{Plan: p, Clock: fc, Run: func(_ context.Context, rd Round) bool {
		mu.Lock()
		got = append(got, rd)
		mu.Unlock()
		<-release
		return true // the target never answers
	}}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { r.Start(ctx); close(stopped) }()
	defer func() { cancel(); close(release); <-stopped }()
	deadline, ok := t.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	rounds := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	// Up to the first slot (at most one interval away).
	for rounds() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no slot round")
		}
		bctx, bcancel := context.WithTimeout(ctx, time.Second)
		_ = fc.BlockUntil(bctx, 1)
		bcancel()
		fc.Advance(5 * time.Millisecond)
	}
	for n, length := range []time.Duration{800 * time.Millisecond, 200 * time.Millisecond} {
		fc.Advance(length)
		release <- struct{}{}
		for rounds() < n+2 {
			if time.Now().After(deadline) {
				t.Fatalf("after round %d failed no confirmation round started: %+v", n, got)
			}
			time.Sleep(time.Millisecond) // real time: the runner goroutine's turn
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got[0].Confirm != 0 || got[1].Confirm != 1 || got[2].Confirm != 2 {
		t.Fatalf("rounds %+v, want a slot then confirmations 1 and 2", got)
	}
	// The second follows the first by the confirmation interval, not at
	// the next slot (which the sequence covers: no slot round ran).
	if d := got[2].Slot.Sub(got[1].Slot); d != 200*time.Millisecond {
		t.Fatalf("confirmations %v apart, want 200ms: %+v", d, got)
	}
}
