package schedule

import (
	"math/rand"
	"testing"
	"time"
)

// suspectPlan is one job at 1 s (first slot t0) with a 200-ms round
// timeout, confirm 200 ms × 3, whose first n slot rounds were answered
// 21 ms after they started (3 requests 10 ms apart, a 1-ms path).
func suspectPlan(t *testing.T, timeout time.Duration, n int) *Plan {
	t.Helper()
	p := NewPlan(t0, []JobSpec{{Interval: time.Second, Timeout: timeout, Confirm: conf3}}, rand.New(rand.NewSource(1)), NewBudget(100))
	p.entries[0].base, p.entries[0].next = t0, t0
	for i := 0; i < n; i++ {
		slot := t0.Add(time.Duration(i) * time.Second)
		start, _ := p.Due(slot)
		if len(start) != 1 || start[0].Confirm != 0 {
			t.Fatalf("slot %d: started %+v, want its slot round", i, start)
		}
		p.Done(start[0], false, slot.Add(ms(21)))
	}
	return p
}

func startedNames(rs []Round) string {
	s := ""
	for _, r := range rs {
		s += roundName(r)
	}
	return s
}

// TestConfirmStartsOnSuspicion: once the job knows its rounds end 21 ms
// after they start, a slot round still running 20 ms past that (a reply
// missing) starts the first confirmation round at once, alongside it, not
// when its 200-ms timeout says it failed; the slot's failure then adds no
// round of its own, and the sequence goes on from the confirmation round.
func TestConfirmStartsOnSuspicion(t *testing.T) {
	p := suspectPlan(t, ms(200), 30)
	slot := t0.Add(30 * time.Second)
	start, _ := p.Due(slot)
	if startedNames(start) != "S@30000" {
		t.Fatalf("started %s", startedNames(start))
	}
	s := start[0]
	if got := p.Next().Sub(slot); got != ms(41) {
		t.Fatalf("suspicion %s after the slot, want 41ms (21-ms rounds + the 20-ms grain)", got)
	}
	if start, _ := p.Due(slot.Add(ms(40))); len(start) != 0 {
		t.Fatalf("at 40 ms started %s, want nothing yet", startedNames(start))
	}
	start, _ = p.Due(slot.Add(ms(41)))
	if startedNames(start) != "C1@30041" {
		t.Fatalf("at 41 ms started %q, want the first confirmation round while the slot's runs", startedNames(start))
	}
	c1 := start[0]
	p.Done(s, true, slot.Add(ms(200))) // the slot's round failed
	if start, _ := p.Due(slot.Add(ms(200))); len(start) != 0 {
		t.Fatalf("the slot's failure started %s while C1 runs", startedNames(start))
	}
	p.Done(c1, true, slot.Add(ms(241)))
	start, _ = p.Due(slot.Add(ms(241)))
	if startedNames(start) != "C2@30241" {
		t.Fatalf("after C1 failed: started %q, want C2 at once (200 ms after C1)", startedNames(start))
	}
	// Confirmed down by the third failed round at 441 ms instead of 600.
	p.Done(start[0], true, slot.Add(ms(441)))
	if !p.entries[0].watching() {
		t.Fatal("not confirmed down after the slot and two confirmation rounds failed")
	}
}

// TestConfirmNoSuspicionWhenAnswered: a slot round answered in its usual
// time starts nothing; one answered late by a lost reply (it ran to its
// timeout) neither fails nor feeds the estimate (Karn's rule).
func TestConfirmNoSuspicionWhenAnswered(t *testing.T) {
	p := suspectPlan(t, ms(200), 30)
	srtt := p.entries[0].srtt
	slot := t0.Add(30 * time.Second)
	start, _ := p.Due(slot)
	p.Done(start[0], false, slot.Add(ms(22)))
	if got := p.Next(); !got.Equal(slot.Add(time.Second)) {
		t.Fatalf("after an answered round the next round is at %s, want the next slot", got.Sub(t0))
	}
	start, _ = p.Due(slot.Add(time.Second))
	start2, _ := p.Due(slot.Add(time.Second + ms(42))) // one reply missing: suspicion
	if len(start2) != 1 || start2[0].Confirm != 1 {
		t.Fatalf("started %q, want C1 on suspicion", startedNames(start2))
	}
	p.Done(start2[0], false, slot.Add(time.Second+ms(63))) // C1 answered
	p.Done(start[0], false, slot.Add(time.Second+ms(200))) // two of three replies: answered at its timeout
	if e := p.entries[0]; e.seq || e.failRun != 0 || e.srtt > srtt+ms(1) {
		t.Fatalf("after answered rounds: seq %v failRun %d srtt %s (was %s)", e.seq, e.failRun, e.srtt, srtt)
	}
	if got := p.Next(); !got.Equal(slot.Add(2 * time.Second)) {
		t.Fatalf("next round at %s, want the next slot", got.Sub(t0))
	}
}

// TestConfirmBlindWithoutEstimate: without a known timeout, or before any
// answered round, confirmation waits for the slot's round to fail.
func TestConfirmBlindWithoutEstimate(t *testing.T) {
	for name, p := range map[string]*Plan{"no timeout": suspectPlan(t, 0, 30), "no answer yet": suspectPlan(t, ms(200), 0)} {
		slot := p.entries[0].next
		start, _ := p.Due(slot)
		if got := p.Next(); !got.Equal(slot.Add(time.Second)) {
			t.Fatalf("%s: next round at %s after the slot, want the next slot", name, got.Sub(slot))
		}
		p.Done(start[0], true, slot.Add(ms(200)))
		start, _ = p.Due(slot.Add(ms(200)))
		if len(start) != 1 || start[0].Confirm != 1 {
			t.Fatalf("%s: after the failed slot started %+v, want C1", name, start)
		}
	}
}
