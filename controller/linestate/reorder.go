package linestate

import "sort"

// line is one line's reorder buffer and its two views.
//
// pending holds the evidence not yet sealed, sorted by event time (ties by
// source name, so the order never depends on arrival). Evidence older than
// sealedTo has been fed to the sealed machine and can no longer be placed:
// it is TooLate. The provisional machine is sealed + pending (+ timers up to
// the clock); it follows arrivals directly while they come in order and is
// rebuilt (dirty) when one lands too far behind it.
type line struct {
	name     string
	profile  string
	params   *Params
	srcs     []srcKey
	pending  []pend
	sealedTo int64 // evidence before this is sealed
	sealed   machine
	prov     machine
	dirty    bool
	// live is the provisional view's flaps and outages not yet sealed,
	// late the recent evidence that arrived behind that view (live.go);
	// liveChanged says the live set must go out with the next output.
	live        []liveEv
	late        []lateNote
	liveChanged bool
	// liveOpen is the open outage's start the last live set carried (0:
	// none), so its beginning, end or move sends the set again.
	liveOpen int64
	// shared says an open snapshot view (view.go) still reads pending's
	// array, so an insert that shifts it copies the buffer first.
	shared bool
}

// srcKey names one source of a line. key orders ties in pending.
type srcKey struct {
	Agent, Probe string
	key          string
	clk          int32 // the Agent's slot in Detector.clocks
	// HBSilent is when a Silence report for this agent arrived in the
	// provisional view (0: none since its last evidence); a rebuild of the
	// provisional view re-applies it.
	HBSilent int64
}

// source returns the index of (agent, probe), adding it if there is room.
func (l *line) source(agent, probe string, maxSources int) (uint8, bool) {
	for i := range l.srcs {
		if l.srcs[i].Agent == agent && l.srcs[i].Probe == probe {
			return uint8(i), true
		}
	}
	if len(l.srcs) >= maxSources {
		return 0, false
	}
	l.srcs = append(l.srcs, srcKey{Agent: agent, Probe: probe, key: agent + "\x00" + probe})
	return uint8(len(l.srcs) - 1), true
}

func (l *line) less(a, b *pend) bool {
	if a.T != b.T {
		return a.T < b.T
	}
	return l.srcs[a.Src].key < l.srcs[b.Src].key
}

// insert places p in time order; false if it duplicates buffered evidence
// (same time and source). Evidence nearly always arrives in order, so the
// common case is an append.
func (l *line) insert(p pend) bool {
	n := len(l.pending)
	if n == 0 || l.less(&l.pending[n-1], &p) {
		l.pending = append(l.pending, p)
		return true
	}
	i := sort.Search(n, func(i int) bool { return !l.less(&l.pending[i], &p) })
	if i < n && l.pending[i].T == p.T && l.pending[i].Src == p.Src {
		return false
	}
	if l.shared { // a snapshot view reads this array: shift a copy of it
		l.pending = append(make([]pend, 0, n+n/4+1), l.pending...)
		l.shared = false
	}
	l.pending = append(l.pending, pend{})
	copy(l.pending[i+1:], l.pending[i:])
	l.pending[i] = p
	return true
}

// seal feeds the sealed machine every buffered evidence before w, then its
// timers up to w, and moves sealedTo to w.
func (l *line) seal(w int64, out *Output) {
	if w <= l.sealedTo {
		return
	}
	em := emitter{out: out, line: l.name, final: true}
	i := 0
	for i < len(l.pending) && l.pending[i].T < w {
		l.sealed.apply(&l.pending[i], l.params, &em)
		i++
	}
	if i > 0 {
		l.pending = l.pending[i:]
		// Re-slicing keeps the old array alive; copy once most of it is
		// dead so a line's buffer shrinks after a burst.
		if c := cap(l.pending); c > 64 && len(l.pending) < c/4 {
			l.pending = append(make([]pend, 0, 2*len(l.pending)), l.pending...)
		}
	}
	l.sealed.advanceTo(w, l.params, &em)
	l.sealedTo = w
	l.dropSealedLive(w)
}

// rebuild recomputes the provisional view from the sealed one and reports
// only the net change of state.
func (l *line) rebuild(now int64, out *Output) {
	before := l.prov.Visible
	l.prov = l.sealed.clone()
	old := l.live
	l.live = nil
	quiet := emitter{line: l.name, live: &l.live}
	for i := range l.pending {
		l.prov.apply(&l.pending[i], l.params, &quiet)
	}
	for i := range l.srcs {
		if hb := l.srcs[i].HBSilent; hb != 0 {
			l.prov.silence(hb, func(j int) bool { return j == i }, l.params, &quiet)
		}
	}
	l.prov.advanceTo(now, l.params, &quiet)
	l.dirty = false
	if !sameLive(old, l.live) {
		l.liveChanged = true
	}
	if l.prov.Visible != before && out != nil {
		out.Transitions = append(out.Transitions, Transition{Line: l.name, From: before, To: l.prov.Visible, Time: unix(l.prov.Since)})
	}
}
