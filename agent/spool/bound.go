package spool

import (
	"time"
)

// Drops: the spool is full when the waiting records plus the new one pass
// MaxBytes, and a record is too old when it was spooled more than MaxAge
// ago. Either way the oldest go first — a fresh result is worth more to an
// operator than one from last week — except the head: the sender may have
// it in flight, and a message both dropped and then acknowledged would be
// counted twice. Keeping it makes dropped + delivered == produced exact.
// The cost is that the spool may hold one message beyond its bounds.

// makeRoom drops the oldest records after the head until n more bytes fit.
func (s *Spool) makeRoom(n int64) {
	for s.bytes+n > s.opt.MaxBytes && len(s.q)-s.lo > 1 {
		s.dropAfterHead("full")
	}
}

// dropAged drops records after the head spooled before now-MaxAge.
func (s *Spool) dropAged(now time.Time) {
	if s.opt.MaxAge <= 0 {
		return
	}
	limit := now.Add(-s.opt.MaxAge).UnixNano()
	for len(s.q)-s.lo > 1 && s.q[s.lo+1].created < limit {
		s.dropAfterHead("age")
	}
}

// dropAfterHead drops the oldest record that is not the head. Dropped
// records are always the ones right after the head, so the cursor records
// them as a range (see cursor).
func (s *Spool) dropAfterHead(reason string) {
	head, e := s.q[s.lo], s.q[s.lo+1]
	s.q[s.lo+1] = head
	s.advance()
	s.forget(e)
	s.cur.kept, s.cur.dropped = head.seq, e.seq
	s.noteDrop(e.results, reason)
	s.removeDead()
}

type dropNote struct {
	results int
	reason  string
}

// noteDrop counts a drop now and queues it for Options.Dropped and the log.
func (s *Spool) noteDrop(results int, reason string) {
	s.m.dropped.WithLabelValues(reason).Add(float64(results))
	if n := len(s.notify); n > 0 && s.notify[n-1].reason == reason {
		s.notify[n-1].results += results
	} else {
		s.notify = append(s.notify, dropNote{results, reason})
	}
	s.drops.add(reason, results)
	s.flushDropLog(s.opt.Clock.Now())
}

func (s *Spool) takeNotes() []dropNote {
	n := s.notify
	s.notify = nil
	return n
}

// report tells Options.Dropped; called without mu held.
func (s *Spool) report(notes []dropNote) {
	if s.opt.Dropped == nil {
		return
	}
	for _, n := range notes {
		s.opt.Dropped(n.results, n.reason)
	}
}

// dropLog rate-limits the drop warning: during a long outage with a full
// spool every batch drops a few results, and one line per batch would bury
// everything else. Counts accumulate and are logged at most every 10s, and
// at Close, so no drop goes unmentioned.
type dropLog struct {
	last    time.Time
	pending map[string]int
}

const dropLogEvery = 10 * time.Second

func (d *dropLog) add(reason string, results int) {
	if d.pending == nil {
		d.pending = map[string]int{}
	}
	d.pending[reason] += results
}

// flushDropLog logs pending drops if the last log is old enough; a zero
// now forces it.
func (s *Spool) flushDropLog(now time.Time) {
	d := &s.drops
	if len(d.pending) == 0 || (!now.IsZero() && now.Sub(d.last) < dropLogEvery) {
		return
	}
	args := []any{"dir", s.opt.Dir, "max_bytes", s.opt.MaxBytes, "max_age", s.opt.MaxAge}
	for _, r := range []string{"full", "age", "corrupt", "error"} {
		if n := d.pending[r]; n > 0 {
			args = append(args, "dropped_"+r, n)
		}
	}
	s.opt.Logger.Warn("spool dropped oldest results", args...)
	d.pending = nil
	d.last = now
}
