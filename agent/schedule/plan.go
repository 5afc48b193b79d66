// Package schedule decides when each (probe, target) job runs.
//
// The decisions live in Plan, a pure function of the times it is shown, so
// they are tested with tables of ticks instead of the wall clock. Runner
// drives a Plan with a real (or fake) clock and goroutines.
//
// Rules:
//   - Each job runs once per interval at a fixed phase. The targets of one
//     probe are spread evenly over the interval (1,000 targets at 1 s fire
//     1 ms apart, never in the same millisecond), and each probe gets a random
//     offset so different probes do not line up.
//   - A round's event time is its scheduled slot, not the moment a goroutine
//     got to it: slots of one job are exactly one interval apart, so two
//     rounds of one target never share a timestamp (an InfluxDB point identity).
//   - A job whose previous round is still running is not started again; the
//     slot is counted as skipped. One slow target delays nobody else, because
//     every round runs in its own goroutine.
//   - After a stall (a suspended VM) no backlog is replayed: the job runs once
//     at its latest due slot and the missed slots are counted as skipped.
package schedule

import (
	"container/heap"
	"math/rand"
	"time"
)

// Round is one scheduled execution of a job.
type Round struct {
	// Job is the job's index as given to NewPlan.
	Job int
	// Slot is the scheduled time: the round's event time.
	Slot time.Time
}

// JobSpec describes one job to NewPlan: its interval and its group (the
// probe), whose jobs are spread evenly over the interval.
type JobSpec struct {
	Interval time.Duration
	Group    int
}

// Plan holds every job's next slot.
type Plan struct {
	entries []*entry
	queue   entryHeap
}

type entry struct {
	job      int
	interval time.Duration
	next     time.Time
	running  bool
	index    int
}

// NewPlan lays out jobs starting after start. rng supplies each group's
// random offset (inject a seeded one in tests).
func NewPlan(start time.Time, jobs []JobSpec, rng *rand.Rand) *Plan {
	p := &Plan{entries: make([]*entry, len(jobs))}
	groupSize := map[int]int{}
	for _, j := range jobs {
		groupSize[j.Group]++
	}
	groupOffset := map[int]time.Duration{}
	groupSeen := map[int]int{}
	for i, j := range jobs {
		n := groupSize[j.Group]
		step := j.Interval / time.Duration(n)
		off, ok := groupOffset[j.Group]
		if !ok {
			if step > 0 {
				off = time.Duration(rng.Int63n(int64(step)))
			}
			groupOffset[j.Group] = off
		}
		k := groupSeen[j.Group]
		groupSeen[j.Group]++
		e := &entry{job: i, interval: j.Interval, next: start.Add(off + step*time.Duration(k))}
		p.entries[i] = e
		heap.Push(&p.queue, e)
	}
	return p
}

// Next returns the earliest slot of any job, or the zero time with no jobs.
func (p *Plan) Next() time.Time {
	if len(p.queue) == 0 {
		return time.Time{}
	}
	return p.queue[0].next
}

// Due returns the rounds to start at now, and the slots skipped because a
// job's previous round is still running or the slot was missed in a stall.
// Started jobs are marked running until Done.
func (p *Plan) Due(now time.Time) (start, skipped []Round) {
	for len(p.queue) > 0 && !p.queue[0].next.After(now) {
		e := p.queue[0]
		slot := e.next
		// Missed slots after a stall: keep only the latest due one.
		if behind := now.Sub(slot); behind >= e.interval {
			n := int64(behind / e.interval)
			for i := int64(0); i < n; i++ {
				skipped = append(skipped, Round{Job: e.job, Slot: slot.Add(time.Duration(i) * e.interval)})
			}
			slot = slot.Add(time.Duration(n) * e.interval)
		}
		if e.running {
			skipped = append(skipped, Round{Job: e.job, Slot: slot})
		} else {
			e.running = true
			start = append(start, Round{Job: e.job, Slot: slot})
		}
		e.next = slot.Add(e.interval)
		heap.Fix(&p.queue, 0)
	}
	return start, skipped
}

// Done marks a job's round finished.
func (p *Plan) Done(job int) { p.entries[job].running = false }

type entryHeap []*entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h entryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
