package schedule

import (
	"math/rand"
	"testing"
	"time"
)

// The same target measured over two networks shares its slot (Moment), and
// the probe's two targets still spread over the interval: two slots, each
// with both networks, one apart by half the interval.
func TestPlanMomentSharesSlotAcrossNetworks(t *testing.T) {
	jobs := []JobSpec{
		{Interval: time.Second, Moment: "198.18.10.1"}, // target A over ours
		{Interval: time.Second, Moment: "198.18.10.1"}, // target A over rival
		{Interval: time.Second, Moment: "198.18.10.2"}, // target B over ours
		{Interval: time.Second, Moment: "198.18.10.2"}, // target B over rival
	}
	p := NewPlan(t0, jobs, rand.New(rand.NewSource(7)), nil)
	var got []time.Time
	for _, e := range p.entries {
		got = append(got, e.next)
	}
	if !got[0].Equal(got[1]) || !got[2].Equal(got[3]) {
		t.Fatalf("networks of one target not at the same moment: %v", got)
	}
	if d := got[2].Sub(got[0]); d != ms(500) {
		t.Fatalf("targets %v apart, want 500ms (spread over the interval)", d)
	}
	// Rounds come due together, in every interval.
	for i := 0; i < 3; i++ {
		start, _ := p.Due(got[0].Add(time.Duration(i) * time.Second))
		if len(start) != 2 || start[0].Slot != start[1].Slot {
			t.Fatalf("interval %d: due %v, want both networks of target A at one slot", i, render(start))
		}
		for _, r := range start {
			p.Done(Round{Job: r.Job}, false, r.Slot)
		}
		start, _ = p.Due(got[2].Add(time.Duration(i) * time.Second))
		for _, r := range start {
			p.Done(Round{Job: r.Job}, false, r.Slot)
		}
	}
}
