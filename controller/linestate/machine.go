package linestate

import "time"

// machine is one line's state machine. It consumes evidence in event-time
// order (apply) and fires its own timers (advanceTo): silence, release
// from flapping, and the end of a degradation window. It does no I/O and
// reads no clock, so the same evidence always gives the same output. It is
// a plain value: the provisional view is a copy of the sealed one with the
// buffered evidence replayed on top (clone).
//
// Fields are exported for gob (snapshot.go); the type is not.
type machine struct {
	At      int64 // event time of the last step; later steps never go back
	Visible State // what the line looks like (flapping masks up/down)
	Since   int64 // when Visible began

	InOutage   bool
	DownStart  int64 // first failed evidence of the open outage
	Sig        bool  // a trustworthy down signal holds (port down)
	LastFailed bool  // the latest probe round failed

	RunStart  int64 // first failed round of any source since the last answered one of any (0: none)
	Witnessed bool  // an unseen flap fell inside the current run
	// Agreed: during the current run the sources agreed on at least
	// MinFlapRounds failed rounds (agree), so when it ends short of an
	// outage it is a flap.
	Agreed bool
	// OKRun and OKStart are version 1's line-wide recovery count, read
	// only from old snapshots and moved to the sources by fromV1.
	OKRun   int
	OKStart int64

	LastEpisodeEnd int64 // end of the last flap or outage
	LastFail       int64 // event time of the latest failed round or down signal (0: none)

	// back is the earlier time a step's state change really began (an
	// outage begins at its first failed round, found out k rounds later);
	// settle consumes it, so it never outlives a step and is not saved.
	back int64
	Srcs []srcState
	Damp damp
	Deg  degrade
}

// srcState is one source's part: its own evidence, judged on its own
// (doc.go, "Several sources"): its consecutive failed rounds, its answered
// rounds since the outage began, when it last reported a round, and
// whether it has gone silent. Lines have a handful of sources, so loops
// over them are cheaper than any index.
type srcState struct {
	Last int64 // event time of its latest evidence (0: none yet)
	Gap  int64 // interval between its last two scheduled rounds (not confirmation rounds)
	// LastSlot is the event time of its latest evidence that was not a
	// confirmation round (0: none yet, or restored from an older snapshot).
	LastSlot int64
	// Round is the event time of its latest probe round, answered or not
	// (0: none: an SNMP source, which never holds a line up or down).
	Round int64
	// Fails counts its own consecutive failed rounds; only its own
	// answered round resets it.
	Fails uint16
	// OKs counts its own consecutive answered rounds since the open
	// outage began, OKStart is the first of them.
	OKs     uint16
	OKStart int64
	Silent  bool
}

// emitter collects one line's output. out == nil discards (a provisional
// rebuild reports only its net change); only the final view emits events.
type emitter struct {
	out   *Output
	line  string
	final bool
	// live collects the provisional view's flaps and outages (live.go);
	// nil where they are not kept.
	live *[]liveEv
}

func (e *emitter) transition(from, to State, at int64) {
	if e.out != nil {
		e.out.Transitions = append(e.out.Transitions, Transition{Line: e.line, From: from, To: to, Time: unix(at), Final: e.final})
	}
}

func (e *emitter) event(ev Event) {
	if e.out != nil && e.final {
		ev.Line = e.line
		e.out.Events = append(e.out.Events, ev)
	}
}

// provisional keeps a flap or outage of the provisional view, decided at
// event time at, in its live set.
func (e *emitter) provisional(ev Event, at int64) {
	if e.live != nil && !e.final && countsFinal(ev.Kind) {
		ev.Line = e.line
		*e.live = append(*e.live, liveEv{Ev: ev, Decided: at})
	}
}

func unix(ns int64) time.Time      { return time.Unix(0, ns).UTC() }
func durNS(ns int64) time.Duration { return time.Duration(ns) }

func (m *machine) clone() machine {
	c := *m
	c.Srcs = append([]srcState(nil), m.Srcs...)
	return c
}

func (m *machine) src(i uint8) *srcState {
	for int(i) >= len(m.Srcs) {
		m.Srcs = append(m.Srcs, srcState{})
	}
	return &m.Srcs[i]
}

// apply takes one piece of evidence. The sealed view feeds it in event-time
// order; the provisional view may feed it slightly out of order, and then
// its time is clamped to At so the machine never goes back.
func (m *machine) apply(e *pend, p *Params, em *emitter) {
	t := max(e.T, m.At)
	m.advanceTo(t, p, em)
	m.At = t
	s := m.src(e.Src)
	if !e.confirm() {
		// The source's interval is measured between rounds on its
		// schedule: a confirmation round 200 ms after a slot must not make
		// a 60-s source look like a 200-ms one and fall silent (unknown)
		// before its next slot.
		prev := s.LastSlot
		if prev == 0 {
			prev = s.Last // a snapshot from before LastSlot existed
		}
		if prev != 0 && t > prev {
			s.Gap = t - prev
		}
		s.LastSlot = t
	}
	s.Last, s.Silent = t, false

	switch e.kind() {
	case ProbeFail:
		m.degradeSample(t, e, 100, p, em)
		m.LastFailed = true
		m.LastFail = t
		if m.RunStart == 0 {
			m.RunStart = t
		}
		s.Round = max(s.Round, e.T)
		s.OKs = 0
		if s.Fails < 65535 {
			s.Fails++
		}
		m.judge(t, p)
	case ProbeOK:
		m.LastFailed = false
		s.Round = max(s.Round, e.T)
		s.Fails = 0
		if m.InOutage {
			// Recovery is the source's own: another source failing
			// meanwhile (a watcher whose uplink is down) neither resets
			// nor holds it.
			if s.OKs == 0 {
				s.OKStart = t
			}
			if s.OKs < 65535 {
				s.OKs++
			}
			if int(s.OKs) >= p.RecoverRounds {
				m.endOutage(m.okStart(), p, em)
			}
		} else if m.RunStart != 0 && (m.Agreed || m.Witnessed) {
			// A run too short to declare the line down, long enough to
			// be a real interruption: a flap nobody was alerted for.
			m.episode(m.RunStart, t, p, em)
		}
		m.clearRun()
		loss := 0.0
		if e.hasMetrics() {
			loss = e.lossPct()
		}
		m.degradeSample(t, e, loss, p, em)
	case DownSignal:
		m.Sig = true
		m.LastFail = t
		m.resetOKs()
		if !m.InOutage {
			start := t
			if m.RunStart != 0 {
				start = m.RunStart
			}
			m.startOutage(start)
		}
	case UpSignal:
		m.Sig = false
		if m.InOutage && !m.LastFailed {
			at := t
			if s := m.okStart(); s != 0 {
				at = s
			}
			m.endOutage(at, p, em)
		}
	case FlapBetween:
		switch {
		case m.InOutage || m.LastEpisodeEnd >= e.from():
			// Already counted (or being counted) from other evidence.
		case m.RunStart != 0:
			m.Witnessed = true // the run under way is a real flap, however short
		default:
			m.LastEpisodeEnd = t
			m.charge(t, Event{Kind: Flap, Start: unix(e.from()), End: unix(t), Unseen: true}, p, em)
		}
	}
	m.settle(t, em)
}

// absorbs reports whether evidence e, arriving behind the view (e.T <
// m.At), may be applied at m.At without changing what the view decided:
// a failed round inside the failure under way (no answered round since it
// began), or an answered round while the line is up with no failure run,
// later than every failure seen. Anything else could split or join
// episodes if applied out of place: a spooled failure applied after the
// other end's recovery starts a phantom run (doc.go, "Late evidence"), so
// the caller rebuilds the view instead.
//
// A failed round inside a run that has not yet put the line down is
// absorbed only on a line with one source: with several, where it falls
// against the other sources' rounds decides whether they agreed (judge).
func (m *machine) absorbs(e *pend) bool {
	switch e.kind() {
	case ProbeFail:
		if m.InOutage {
			return m.okStart() == 0 && e.T >= m.DownStart
		}
		return len(m.Srcs) == 1 && m.RunStart != 0 && e.T >= m.RunStart
	case ProbeOK:
		return !m.InOutage && m.RunStart == 0 && e.T > m.LastFail
	}
	return false
}

// silence marks the sources for which match is true silent at t
// (provisional Silence evidence).
func (m *machine) silence(t int64, match func(i int) bool, p *Params, em *emitter) {
	t = max(t, m.At)
	m.advanceTo(t, p, em)
	m.At = t
	for i := range m.Srcs {
		if match(i) && m.Srcs[i].Last != 0 {
			m.Srcs[i].Silent = true
		}
	}
	m.settle(t, em)
}

func (m *machine) degradeSample(t int64, e *pend, loss float64, p *Params, em *emitter) {
	// Confirmation rounds come only after a failure, so counting them
	// would weigh failures more than the schedule's samples.
	if !em.final || m.InOutage || !p.degradeOn() || e.confirm() {
		return
	}
	m.Deg.sample(t, loss, e.rttMs(), e.jitMs(), e.hasMetrics() && e.kind() == ProbeOK, p, em)
}

// clearRun ends the line's failure run (an answered round). Each
// source's own failure count stays: only its own answered round resets it.
func (m *machine) clearRun() {
	m.RunStart, m.Witnessed, m.Agreed = 0, false, false
}

// resetOKs forgets every source's answered rounds: recovery counts only
// rounds after the outage began.
func (m *machine) resetOKs() {
	for i := range m.Srcs {
		m.Srcs[i].OKs, m.Srcs[i].OKStart = 0, 0
	}
}

// okStart is where the outage ends if it ends now: the earliest first
// answered round of the sources answering since (0: none answers). The
// source that reached RecoverRounds decided it; another that answered
// earlier and has not failed since saw the line back first.
func (m *machine) okStart() int64 {
	at := int64(0)
	for i := range m.Srcs {
		if s := &m.Srcs[i]; s.OKs > 0 && (at == 0 || s.OKStart < at) {
			at = s.OKStart
		}
	}
	return at
}

func (m *machine) startOutage(start int64) {
	m.resetOKs()
	m.InOutage, m.DownStart = true, start
	// The down transition is stamped with the outage's start, which may
	// lie before the evidence that decided it.
	m.back = start
}

func (m *machine) endOutage(at int64, p *Params, em *emitter) {
	m.InOutage, m.Sig = false, false
	m.resetOKs()
	m.episode(m.DownStart, at, p, em)
	m.DownStart = 0
	m.back = at
}

// episode records one flap or outage [start, end).
func (m *machine) episode(start, end int64, p *Params, em *emitter) {
	m.LastEpisodeEnd = end
	kind := Outage
	if end-start < int64(p.FlapThreshold) {
		kind = Flap
	}
	m.charge(end, Event{Kind: kind, Start: unix(start), End: unix(end), Duration: durNS(end - start)}, p, em)
}

// charge emits a flap or outage and adds its dampening penalty.
func (m *machine) charge(at int64, ev Event, p *Params, em *emitter) {
	ev.Suppressed = m.Damp.Flapping
	started := m.Damp.add(at, p)
	ev.Penalty = m.Damp.Penalty
	em.event(ev)
	em.provisional(ev, m.At)
	if started {
		em.event(Event{Kind: FlappingStart, Start: unix(at), Penalty: m.Damp.Penalty})
		m.back = at
	}
}

// state is what the line looks like now. Silence comes first: a line no
// source hears is unknown whatever it was doing, flapping included (its
// penalty keeps decaying meanwhile, and the reuse timer still releases it;
// when a source is heard again the line shows flapping only if it still
// is).
func (m *machine) state() State {
	known, silent := false, true
	for i := range m.Srcs {
		if m.Srcs[i].Last != 0 {
			known = true
			silent = silent && m.Srcs[i].Silent
		}
	}
	switch {
	case !known || silent:
		return Unknown
	case m.Damp.Flapping:
		return Flapping
	case m.InOutage:
		return Down
	}
	return Up
}

// settle emits a transition if the visible state changed. at is the step's
// time, back an earlier one if the step back-dated the change.
func (m *machine) settle(at int64, em *emitter) {
	when := at
	if m.back != 0 && m.back < at {
		when = m.back
	}
	m.back = 0
	s := m.state()
	if s == m.Visible {
		return
	}
	em.transition(m.Visible, s, when)
	m.Visible, m.Since = s, when
}

// silenceWindow is how long source s may stay quiet.
func silenceWindow(s *srcState, p *Params) int64 {
	w := int64(p.SilenceAfter)
	if g := 3 * s.Gap; g > w {
		w = min(g, int64(p.SilenceMax))
	}
	return w
}

// nextTimer returns the earliest timer and which one it is.
func (m *machine) nextTimer(p *Params, final bool) (int64, int) {
	best, which := int64(0), -1
	consider := func(d int64, w int) {
		if d != 0 && (best == 0 || d < best) {
			best, which = d, w
		}
	}
	for i := range m.Srcs {
		s := &m.Srcs[i]
		if s.Last != 0 && !s.Silent {
			consider(s.Last+silenceWindow(s, p), i)
		}
	}
	consider(m.Damp.reuseAt(p), timerReuse)
	consider(m.vetoEnds(p), timerVeto)
	if final {
		consider(m.Deg.deadline(p), timerDegrade)
	}
	return best, which
}

const (
	timerReuse   = -2
	timerDegrade = -3
	timerVeto    = -4
)

// advanceTo fires, in time order, every timer due strictly before t.
// Strictly: evidence at exactly a timer's time wins (a source heard at its
// deadline was not silent), and evidence at t may still arrive.
func (m *machine) advanceTo(t int64, p *Params, em *emitter) {
	for {
		d, which := m.nextTimer(p, em.final)
		if d == 0 || d >= t {
			return
		}
		if d > m.At {
			m.At = d
		}
		switch which {
		case timerReuse:
			since := m.Damp.Since
			m.Damp.release(d, p)
			em.event(Event{Kind: FlappingEnd, Start: unix(since), End: unix(d), Duration: durNS(d - since), Penalty: m.Damp.Penalty})
		case timerDegrade:
			m.Deg.roll(d, p, em)
		case timerVeto:
			m.judge(d, p)
		default:
			m.Srcs[which].Silent = true
		}
		m.settle(d, em)
	}
}
