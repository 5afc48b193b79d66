package linestate

// Several sources on one line (doc.go, "Several sources"): each source's
// failed rounds are its own evidence, and the line goes down, or a short
// run counts as a flap, only when the sources that can see the line agree.

// judge decides at t whether the failure run under way has become a flap
// (Agreed) or an outage. It runs after every failed round and when a
// source that held the line up has let its own interval pass (timerVeto).
func (m *machine) judge(t int64, p *Params) {
	if m.InOutage || m.RunStart == 0 {
		return
	}
	if !m.Agreed && m.agree(t, p.MinFlapRounds, p) {
		m.Agreed = true
	}
	if m.agree(t, p.FailRounds, p) {
		m.startOutage(m.RunStart)
	}
}

// agree reports whether the sources agree at t that the line failed n
// rounds: at least one source failed n rounds in a row during the current
// run, and every other source that can see the line (sees) has too. A
// source that answered within its own interval, or is still confirming
// its own failure, holds the line up; one that is silent, or overdue
// (nothing from it for its interval plus Params.AnswerGrace: its only
// uplink may be the line, its results spooling), has no say.
func (m *machine) agree(t int64, n int, p *Params) bool {
	failed := false
	for i := range m.Srcs {
		s := &m.Srcs[i]
		if int(s.Fails) >= n {
			// A source's own failures count only if it failed in this run:
			// one that failed long ago and went quiet is stale evidence.
			failed = failed || s.Round >= m.RunStart
			continue
		}
		if m.sees(s, t, p) {
			return false
		}
	}
	return failed
}

// sees reports whether source s reported a probe round within its own
// interval before t (plus the grace for its next one to arrive), so its
// word on the line is current.
func (m *machine) sees(s *srcState, t int64, p *Params) bool {
	return s.Round != 0 && !s.Silent && t <= s.Round+answerWindow(s, p)
}

// answerWindow is how long after its latest round a source still speaks
// for the line: its own interval (unknown before its second slot) plus
// Params.AnswerGrace for its next round to be measured and arrive.
func answerWindow(s *srcState, p *Params) int64 {
	return s.Gap + int64(p.AnswerGrace)
}

// vetoEnds is the timer of a failure run that the sources do not yet
// agree on although one of them has failed enough rounds: the earliest
// moment a source holding the line up stops seeing it (0: none due). At
// it judge decides again, so a line whose other end fell silent mid-cut
// goes down without waiting for any further evidence.
func (m *machine) vetoEnds(p *Params) int64 {
	if m.InOutage || m.RunStart == 0 {
		return 0
	}
	n := p.FailRounds
	if !m.Agreed {
		n = p.MinFlapRounds
	}
	due, failing := int64(0), false
	for i := range m.Srcs {
		s := &m.Srcs[i]
		if int(s.Fails) >= n {
			failing = failing || s.Round >= m.RunStart
			continue
		}
		// Strictly after the window: at its last instant it still sees. A
		// source whose window ended by now (At) no longer holds the line.
		if d := s.Round + answerWindow(s, p) + 1; s.Round != 0 && !s.Silent && d > m.At && (due == 0 || d < due) {
			due = d
		}
	}
	if !failing {
		return 0
	}
	return due
}
