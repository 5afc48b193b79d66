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
//     every round runs in its own goroutine, or (Runner.Begin: the ping
//     engine) as a record on its prober's own timer loop.
//   - After a stall (a suspended VM) no backlog is replayed: the job runs once
//     at its latest due slot and the missed slots are counted as skipped.
//   - A job with confirmation (confirm.go) that fails a round is re-probed
//     at its short confirmation interval until it answers or is confirmed
//     down (and then, for a bounded while, until it answers), each round
//     paid for from the agent's Budget, higher priorities first. The first
//     re-probe starts as soon as the slot's round outlives its usual length
//     (suspect.go), alongside it, not when its timeout runs out.
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
	// Slot is the scheduled time: the round's event time. A confirmation
	// round's is its own scheduled time, never one of the job's slots.
	Slot time.Time
	// Confirm is 0 for a slot's round and n for the n-th confirmation
	// round of a sequence (the result's confirm field).
	Confirm int
	// Skip says why a round returned as skipped was not started.
	Skip SkipReason
}

// SkipReason classifies a round that did not start.
type SkipReason uint8

const (
	// SkipBusy: the job's previous round was still running.
	SkipBusy SkipReason = iota
	// SkipStall: the slot was missed while the agent stalled.
	SkipStall
	// SkipBudget: a confirmation round the Budget refused; the job is back
	// on its slots.
	SkipBudget
)

// JobSpec describes one job to NewPlan: its interval, its group (the
// probe), whose jobs are spread evenly over the interval, and its
// confirmation settings (zero: none).
type JobSpec struct {
	Interval time.Duration
	Group    int
	Confirm  Confirm
	// Timeout bounds the job's slot rounds (a confirmation round's is the
	// shorter of it and Confirm.Interval). A round that ran that long
	// waited for a reply that never came: its length says nothing about
	// the target's round trip, so it does not feed the job's estimate
	// (suspect.go). Zero: every answered round feeds it.
	Timeout time.Duration
	// Moment, when not empty, puts the job on the same slot as the other
	// jobs of its group with the same Moment: the same target measured over
	// several networks runs at the same instants, so a comparison of the
	// networks is not a comparison of different minutes. Empty: a slot of
	// its own.
	Moment string
}

// Plan holds every job's next slot and confirmation round.
type Plan struct {
	entries []*entry
	queue   entryHeap
	budget  *Budget
}

type entry struct {
	job      int
	interval time.Duration
	timeout  time.Duration
	base     time.Time // the first slot: slots are base + n·interval
	next     time.Time // next slot
	running  bool      // the slot's round
	started  time.Time // when the running slot round started
	index    int
	confirmState
}

// slotKey is what shares a slot within a group: a Moment, or the job alone.
type slotKey struct {
	group  int
	moment string
	job    int
}

func keyOf(i int, j JobSpec) slotKey {
	if j.Moment != "" {
		return slotKey{group: j.Group, moment: j.Moment, job: -1}
	}
	return slotKey{group: j.Group, job: i}
}

// NewPlan lays out jobs starting after start. rng supplies each group's
// random offset (inject a seeded one in tests). budget pays for
// confirmation rounds; it may be shared by several plans (one per probe)
// and nil when no job confirms.
func NewPlan(start time.Time, jobs []JobSpec, rng *rand.Rand, budget *Budget) *Plan {
	p := &Plan{entries: make([]*entry, len(jobs)), budget: budget}
	groupSize := map[int]int{}
	position := map[slotKey]int{}
	for i, j := range jobs {
		k := keyOf(i, j)
		if _, seen := position[k]; !seen {
			position[k] = groupSize[j.Group]
			groupSize[j.Group]++
		}
	}
	groupOffset := map[int]time.Duration{}
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
		k := position[keyOf(i, j)]
		first := start.Add(off + step*time.Duration(k))
		e := &entry{job: i, interval: j.Interval, timeout: j.Timeout, base: first, next: first, confirmState: confirmState{conf: j.Confirm}}
		p.entries[i] = e
		heap.Push(&p.queue, e)
	}
	return p
}

// Next returns the earliest slot or confirmation round of any job, or the
// zero time with no jobs.
func (p *Plan) Next() time.Time {
	if len(p.queue) == 0 {
		return time.Time{}
	}
	return p.queue[0].due()
}

// Due returns the rounds to start at now, and those skipped: slots whose
// job's previous round is still running or that were missed in a stall,
// and confirmation rounds the budget refused (Round.Skip says which).
// A slot that comes due while its job is in a confirmation sequence is
// neither: the sequence probes the target more often than the slot would.
// Started jobs are marked running until Done.
func (p *Plan) Due(now time.Time) (start, skipped []Round) {
	for len(p.queue) > 0 && !p.queue[0].due().After(now) {
		e := p.queue[0]
		if e.confirmDue() {
			if r, ok := p.startConfirm(e, now); ok {
				start = append(start, r)
			} else {
				skipped = append(skipped, r)
			}
			heap.Fix(&p.queue, 0)
			continue
		}
		slot := e.next
		// Missed slots after a stall: keep only the latest due one.
		if behind := now.Sub(slot); behind >= e.interval {
			n := int64(behind / e.interval)
			for i := int64(0); i < n; i++ {
				skipped = append(skipped, Round{Job: e.job, Slot: slot.Add(time.Duration(i) * e.interval), Skip: SkipStall})
			}
			slot = slot.Add(time.Duration(n) * e.interval)
		}
		switch {
		case e.seq:
			// Covered by the confirmation sequence.
		case e.running:
			skipped = append(skipped, Round{Job: e.job, Slot: slot, Skip: SkipBusy})
		default:
			e.running, e.started = true, now
			start = append(start, Round{Job: e.job, Slot: slot})
			p.suspect(e, now)
		}
		e.next = slot.Add(e.interval)
		heap.Fix(&p.queue, 0)
	}
	return start, skipped
}

// Done marks round r (as Due returned it) finished at now; failed says
// that nothing came back (the round is evidence of a failure, not merely
// an error). A failed round of a job with confirmation schedules its next
// confirmation round; an answered one feeds the job's round-trip estimate.
func (p *Plan) Done(r Round, failed bool, now time.Time) {
	e := p.entries[r.Job]
	started := e.started
	if r.Confirm > 0 {
		e.confRunning, started = false, e.confStarted
	} else {
		e.running = false
	}
	if !failed {
		e.sample(now.Sub(started), e.roundTimeout(r.Confirm > 0))
	}
	if p.afterRound(e, failed, now) {
		heap.Fix(&p.queue, e.index)
	}
}

type entryHeap []*entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[i].due().Before(h[j].due()) }
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
