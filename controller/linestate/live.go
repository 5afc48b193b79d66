package linestate

import (
	"slices"
	"time"
)

// Live events: flaps and outages of the provisional view, before the
// horizon makes them final.
//
// The sealed machine alone decides final events, one horizon late. An
// operator must not wait that long to see a line's flaps counted, so the
// provisional machine's flaps and outages are kept per line as its live
// set (line.live): each with the event time of the step that decided it.
// The set follows the provisional view: an in-order arrival may add to it,
// a rebuild after late evidence recomputes it, and sealing past an event's
// decision time removes it (the sealed machine decides that same step, so
// the final event comes out of the same seal). Whenever a line's live set
// changes, or its seal produced flaps or outages, the output carries the
// line's whole live set (Output.Live), and with it the late evidence that
// arrived behind the provisional view (Late): the reason a live event may
// differ from, or vanish before, its final form. The consumer reconciles
// the live set with what it stored (controller/linehealth keeps one row per
// event, provisional until the final event confirms it).
//
// An open outage is a live event too, with no End (openOutage): the
// provisional view is down since its start. It is in the live set from
// the step that put the line down, so it counts at once; when the outage
// ends, the set holds the same event with its End (a flap if it ended
// within FlapThreshold), and the consumer updates the one row it stored.
// Its start moves only if late evidence moves the view's.

// LiveSet is one line's whole set of live flaps and outages, oldest first.
// It replaces the line's previous set: an event missing from it was
// retracted, unless a final event in the same or an earlier output took
// its place. An outage with a zero End is still open (last in the set).
type LiveSet struct {
	Line   string
	Events []Event
	// Late is the evidence that arrived behind the line's provisional
	// view recently, by source: why live events changed.
	Late []Late
}

// Late is evidence of one source that arrived behind the provisional view
// (out of order, or spooled): its event times From..To and how many.
type Late struct {
	Source, Probe string
	From, To      time.Time
	N             int
}

// liveEv is one live event and when the provisional view decided it (ns).
type liveEv struct {
	Ev      Event
	Decided int64
}

// maxLate bounds the late notes kept per line.
const maxLate = 8

// noteLate records evidence p of source src that arrived behind the view.
func (l *line) noteLate(src uint8, t int64) {
	k := &l.srcs[src]
	for i := range l.late {
		n := &l.late[i]
		if n.Source == k.Agent && n.Probe == k.Probe {
			n.From, n.To, n.N = min(n.From, t), max(n.To, t), n.N+1
			return
		}
	}
	if len(l.late) >= maxLate {
		l.late = slices.Delete(l.late, 0, 1)
	}
	l.late = append(l.late, lateNote{Source: k.Agent, Probe: k.Probe, From: t, To: t, N: 1})
}

// lateNote is Late in nanoseconds, as the snapshot keeps it.
type lateNote struct {
	Source, Probe string
	From, To      int64
	N             int
}

// pruneLate forgets notes about evidence sealed more than a horizon ago:
// any final event they could have changed has been emitted with them.
func (l *line) pruneLate(horizon int64) {
	cut := l.sealedTo - horizon
	l.late = slices.DeleteFunc(l.late, func(n lateNote) bool { return n.To < cut })
}

// dropSealedLive removes live events the seal up to w decided finally.
func (l *line) dropSealedLive(w int64) {
	n := len(l.live)
	l.live = slices.DeleteFunc(l.live, func(e liveEv) bool { return e.Decided < w })
	if len(l.live) != n {
		l.liveChanged = true
	}
}

// openOutage is the provisional view's open outage's start (0: none).
func (l *line) openOutage() int64 {
	if l.prov.InOutage {
		return l.prov.DownStart
	}
	return 0
}

// flushLive appends the line's live set to out if it changed (an open
// outage began, ended or moved included) or the seal produced final flaps
// or outages (sealedEvents), then prunes late notes.
func (l *line) flushLive(out *Output, sealedEvents bool, horizon int64) {
	if o := l.openOutage(); o != l.liveOpen {
		l.liveOpen, l.liveChanged = o, true
	}
	if out != nil && (l.liveChanged || sealedEvents) {
		out.Live = append(out.Live, l.liveSet())
	}
	l.liveChanged = false
	l.pruneLate(horizon)
}

func (l *line) liveSet() LiveSet {
	s := LiveSet{Line: l.name, Events: make([]Event, len(l.live))}
	for i, e := range l.live {
		s.Events[i] = e.Ev
	}
	if o := l.openOutage(); o != 0 {
		// Oldest first: it began after every episode that has ended.
		s.Events = append(s.Events, Event{Line: l.name, Kind: Outage, Start: unix(o)})
	}
	for _, n := range l.late {
		s.Late = append(s.Late, Late{Source: n.Source, Probe: n.Probe, From: unix(n.From), To: unix(n.To), N: n.N})
	}
	return s
}

// sameLive reports whether two live sets hold the same events.
func sameLive(a, b []liveEv) bool {
	return slices.EqualFunc(a, b, func(x, y liveEv) bool { return x.Ev == y.Ev })
}

// Live returns every line's live set (empty ones too), for a consumer
// that must resynchronise with the detector (after a restart).
func (d *Detector) Live() []LiveSet {
	var out []LiveSet
	for _, l := range d.lines {
		out = append(out, l.liveSet())
	}
	return out
}

// countsFinal reports whether kind is a counted episode (flap or outage).
func countsFinal(k EventKind) bool { return k == Flap || k == Outage }
