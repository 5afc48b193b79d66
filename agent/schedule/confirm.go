package schedule

import "time"

// Confirm is a job's confirmation probing: when a round fails (nothing came
// back), the target is probed again every Interval instead of waiting for
// its next slot, so the controller's detector sees k failed rounds within
// about a second at 1 Hz, and then sees the target's return within one
// Interval. The zero value turns it off.
type Confirm struct {
	// Interval is the time between two confirmation rounds of one target
	// (200ms by default in agent.yaml). It is never longer than the slot
	// interval; a confirmation round's timeout is the shorter of the
	// probe's timeout and Interval, so its rounds never overlap.
	Interval time.Duration
	// Rounds is how many consecutive failed rounds, the failed slot round
	// included, confirm the target down: the detector's k (FailRounds). So
	// a sequence has at most Rounds-1 confirmation rounds before the target
	// is confirmed down. 0 turns confirmation off.
	Rounds int
	// Watch is how long after the target was confirmed down it is still
	// probed every Interval, until it answers: the end of a drop is then
	// known to within Interval rather than one slot interval. A drop
	// longer than Watch is an outage whose end the slots time well enough.
	// 0: confirmation stops once the target is confirmed down.
	Watch time.Duration
	// Priority orders the agent's confirmation budget: higher first (the
	// controller derives it from the line's customer tier).
	Priority int
}

func (c Confirm) enabled() bool { return c.Rounds > 0 && c.Interval > 0 }

// confirmState is a job's confirmation sequence: from a failed round to
// the round that answered, the budget's refusal, or the end of Watch.
type confirmState struct {
	conf Confirm
	// failRun counts consecutive failed rounds (slots and confirmations)
	// since the job last answered.
	failRun int
	// downAt is when failRun reached conf.Rounds (zero: not yet).
	downAt time.Time
	// seq is true while a sequence runs: slots are covered by it.
	seq bool
	// at is the next confirmation round's time (zero: none scheduled).
	at time.Time
	// last is the previous confirmation round's time in this sequence.
	last time.Time
	// n counts the sequence's confirmation rounds.
	n int
	// confRunning: a confirmation round runs (it may overlap the slot's
	// round when started on suspicion, suspect.go); confStarted is when.
	confRunning bool
	confStarted time.Time
	rtt
}

// due is when the job next wants to start a round.
func (e *entry) due() time.Time {
	if e.confirmDue() {
		return e.at
	}
	return e.next
}

// confirmDue reports whether the job's next round is a confirmation.
func (e *entry) confirmDue() bool { return !e.at.IsZero() && e.at.Before(e.next) }

// watching reports whether the job is past being confirmed down.
func (s *confirmState) watching() bool { return s.failRun >= s.conf.Rounds }

func (s *confirmState) endSequence() {
	s.seq, s.at, s.last, s.n = false, time.Time{}, time.Time{}, 0
}

// startConfirm starts e's due confirmation round if the budget pays for it;
// otherwise the round is refused and the job is back on its slots (its
// next failed slot asks again).
func (p *Plan) startConfirm(e *entry, now time.Time) (Round, bool) {
	r := Round{Job: e.job, Slot: e.at, Confirm: e.n + 1}
	e.at = time.Time{}
	if e.confRunning || !p.budget.Take(now, budgetLevel(e.conf.Priority, e.watching())) {
		r.Skip = SkipBudget
		e.endSequence()
		return r, false
	}
	e.n++
	e.last = r.Slot
	e.seq, e.confRunning, e.confStarted = true, true, now
	return r, true
}

// afterRound updates e's sequence after a round that ended at now, and
// reports whether e's due time changed.
func (p *Plan) afterRound(e *entry, failed bool, now time.Time) bool {
	if !failed {
		changed := e.seq || !e.at.IsZero() // a sequence, or a suspicion (suspect.go)
		e.failRun, e.downAt = 0, time.Time{}
		e.endSequence()
		return changed
	}
	if !e.conf.enabled() {
		return false
	}
	if e.failRun < 1<<20 {
		e.failRun++
	}
	if e.watching() && e.downAt.IsZero() {
		e.downAt = now
	}
	if e.confRunning {
		// The slot's round failed while a confirmation round started on
		// suspicion still runs: that round's end schedules the next.
		return false
	}
	if e.watching() && now.Sub(e.downAt) >= e.conf.Watch {
		// Confirmed down and watched long enough (or not at all): the
		// slots take over until the target answers again.
		wasSeq := e.seq
		e.endSequence()
		return wasSeq
	}
	at := now
	if e.seq && !e.last.IsZero() {
		at = maxTime(at, e.last.Add(e.conf.Interval))
	}
	e.at = p.offSlot(e, at)
	e.seq = true
	return true
}

// offSlot moves t off e's slot grid: a confirmation round's event time must
// never equal a slot's, since (series, time) is a point's identity in
// InfluxDB and the detector's key for duplicates.
func (p *Plan) offSlot(e *entry, t time.Time) time.Time {
	if d := t.Sub(e.base); d >= 0 && d%e.interval == 0 {
		return t.Add(time.Microsecond)
	}
	return t
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
