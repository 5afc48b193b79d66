package cause

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
)

// Cause is what failed; its string is the cause field of events and
// incidents in the API and the cause tag of InfluxDB's line_event.
type Cause string

// The causes.
const (
	Unknown          Cause = "unknown"
	Line             Cause = "line"
	CustomerPremises Cause = "customer_premises"
	WatcherUplink    Cause = "watcher_uplink"
)

// Decision is a cause with the reason in operator terms (Note), for the
// API and for notification texts.
type Decision struct {
	Cause Cause
	Note  string
}

// Topology is what the inventory says about who watches what.
type Topology interface {
	// CustomerSide reports whether agent watches line from its A-end
	// site; any other agent reporting on the line is on the network side.
	CustomerSide(agent, line string) bool
	// Element is the line's upstream element ("" when it has none).
	Element(line string) string
}

// Options configure an Attributor.
type Options struct {
	// Now is the controller's clock; it only decides what Trim drops.
	Now func() time.Time
	// Retain is how long spans are kept after they end (default 1 h): at
	// least the detector's horizon, so a final event is decided from the
	// same evidence as its provisional self.
	Retain time.Duration
	// Gap caps the pause between two rounds of one source that still
	// counts as one run (default 10 s). Below it, a pause longer than two
	// of the source's own intervals (the shortest step seen between its
	// rounds) is silence too: a CPE off for 8 s between 1-s rounds was
	// silent, not reporting. Gap is also how long a silent customer end
	// must be heard again after an outage before its silence is taken as
	// final (its spool, sent oldest first, comes within it).
	Gap time.Duration
	// Settle is how much of an outage's start the watcher-uplink rule looks
	// at (default 3 s, three rounds at 1 Hz): every line the watcher
	// watches must fail within it.
	Settle time.Duration
	// MaxSpans bounds the spans kept per agent and line (default 256; the
	// oldest go first).
	MaxSpans int
}

type key struct{ agent, line string }

// runs are one source's spans on one line and its interval.
type runs struct {
	spans []span
	step  time.Duration // shortest positive step between its rounds seen
}

// span is a run of rounds of one source on one line with one outcome, from
// its first round's event time to its last.
type span struct {
	from, to time.Time
	ok       bool
}

// Attributor remembers recent rounds and decides causes.
type Attributor struct {
	opts   Options
	topo   Topology
	spans  map[key]*runs
	agents map[string]map[string]struct{} // agent → lines it reported on
	lines  map[string]map[string]struct{} // line → agents that reported on it
	byElem map[string]map[string]struct{} // element → lines reported on

	// lost memoises lostEverything between two Observes: an outage of a
	// whole PoP asks it once per line, about the same watcher and second.
	lost    map[lostKey]lostVal
	version uint64 // Observes so far
	lostAt  uint64 // version lost was computed at
}

type lostKey struct {
	agent string
	start int64 // Unix seconds
}

type lostVal struct {
	n     int
	proof string
	ok    bool
}

// New returns an empty Attributor; topo may be nil until SetTopology.
func New(o Options, topo Topology) *Attributor {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Retain <= 0 {
		o.Retain = time.Hour
	}
	if o.Gap <= 0 {
		o.Gap = 10 * time.Second
	}
	if o.Settle <= 0 {
		o.Settle = 3 * time.Second
	}
	if o.MaxSpans <= 0 {
		o.MaxSpans = 256
	}
	return &Attributor{opts: o, topo: topo, spans: map[key]*runs{}, agents: map[string]map[string]struct{}{},
		lines: map[string]map[string]struct{}{}, byElem: map[string]map[string]struct{}{}}
}

// SetTopology replaces the inventory's view (after an inventory refresh).
func (a *Attributor) SetTopology(t Topology) {
	a.topo = t
	a.byElem = map[string]map[string]struct{}{}
	for line := range a.lines {
		a.noteElement(line)
	}
}

func (a *Attributor) noteElement(line string) {
	if a.topo == nil {
		return
	}
	if e := a.topo.Element(line); e != "" {
		addTo(a.byElem, e, line)
	}
}

func addTo(m map[string]map[string]struct{}, k, v string) {
	s := m[k]
	if s == nil {
		s = map[string]struct{}{}
		m[k] = s
	}
	s[v] = struct{}{}
}

// Observe records one piece of evidence. Only probe rounds (ProbeOK,
// ProbeFail) are kept: they are what says an end reached the other; SNMP
// signals name a device, not an end.
func (a *Attributor) Observe(ev linestate.Evidence) {
	if ev.Kind != linestate.ProbeOK && ev.Kind != linestate.ProbeFail {
		return
	}
	a.version++
	k := key{ev.Source, ev.Line}
	ok := ev.Kind == linestate.ProbeOK
	r := a.spans[k]
	if r == nil {
		r = &runs{step: a.opts.Gap}
		a.spans[k] = r
		addTo(a.agents, ev.Source, ev.Line)
		_, known := a.lines[ev.Line]
		addTo(a.lines, ev.Line, ev.Source)
		if !known {
			a.noteElement(ev.Line)
		}
	}
	r.spans = a.insert(r, ev.Time, ok)
}

// insert adds one round to a sorted list of spans: in order (the usual
// case) it extends the last span or starts one; out of order (spooled
// results) it is placed and merged with its neighbours.
func (a *Attributor) insert(r *runs, t time.Time, ok bool) []span {
	ss := r.spans
	if n := len(ss); n > 0 && !t.Before(ss[n-1].to) {
		last := &ss[n-1]
		if d := t.Sub(last.to); d > 0 && d < r.step {
			r.step = d
		}
		if last.ok == ok && t.Sub(last.to) <= r.joins() {
			last.to = t
			return ss
		}
	} else if n > 0 {
		i := sort.Search(len(ss), func(i int) bool { return ss[i].to.After(t) || ss[i].to.Equal(t) })
		if i < len(ss) && !t.Before(ss[i].from) && ss[i].ok == ok {
			return ss // inside a run of the same outcome: nothing new
		}
		ss = slices.Insert(ss, i, span{from: t, to: t, ok: ok})
		return a.merge(r, ss)
	}
	ss = append(ss, span{from: t, to: t, ok: ok})
	if len(ss) > a.opts.MaxSpans {
		ss = append(ss[:0:0], ss[len(ss)-a.opts.MaxSpans:]...)
	}
	return ss
}

// joins is the longest pause within one run: two of the source's steps.
func (r *runs) joins() time.Duration { return 2 * r.step }

// merge joins neighbouring spans of one outcome no more than a pause apart.
func (a *Attributor) merge(r *runs, ss []span) []span {
	out := ss[:0]
	for _, s := range ss {
		if n := len(out); n > 0 && out[n-1].ok == s.ok && s.from.Sub(out[n-1].to) <= r.joins() {
			if s.to.After(out[n-1].to) {
				out[n-1].to = s.to
			}
			continue
		}
		out = append(out, s)
	}
	if len(out) > a.opts.MaxSpans {
		out = append(out[:0:0], out[len(out)-a.opts.MaxSpans:]...)
	}
	return out
}

// Trim drops spans that ended more than Retain before the clock.
func (a *Attributor) Trim() {
	cut := a.opts.Now().Add(-a.opts.Retain)
	for k, r := range a.spans {
		ss := r.spans
		i := 0
		for i < len(ss) && ss[i].to.Before(cut) {
			i++
		}
		if i == len(ss) {
			delete(a.spans, k)
			delete(a.agents[k.agent], k.line)
			if len(a.agents[k.agent]) == 0 {
				delete(a.agents, k.agent)
			}
			delete(a.lines[k.line], k.agent)
			if len(a.lines[k.line]) == 0 {
				delete(a.lines, k.line)
				if a.topo != nil {
					if e := a.topo.Element(k.line); e != "" {
						delete(a.byElem[e], k.line)
					}
				}
			}
			continue
		}
		if i > 0 {
			r.spans = append(ss[:0:0], ss[i:]...)
		}
	}
}

// seen says what one source reported on one line within [from, to): any
// round, a failed one, a successful one.
func (a *Attributor) seen(agent, line string, from, to time.Time) (any, failed, succeeded bool) {
	r := a.spans[key{agent, line}]
	if r == nil {
		return false, false, false
	}
	for _, s := range r.spans {
		if s.to.Before(from) || !s.from.Before(to) {
			continue
		}
		any = true
		if s.ok {
			succeeded = true
		} else {
			failed = true
		}
	}
	return any, failed, succeeded
}

// firstFailed reports whether the source reported on the line within
// [from, to), and whether the first of those rounds failed: the line was
// lost at the start. Later answered rounds in the window do not undo it:
// an uplink down for a second or two comes back within Settle, each line
// answering again at its own round, and a line whose round answered first
// was no less lost.
func (a *Attributor) firstFailed(agent, line string, from, to time.Time) (any, failed bool) {
	r := a.spans[key{agent, line}]
	if r == nil {
		return false, false
	}
	for _, s := range r.spans { // in time order
		if s.to.Before(from) || !s.from.Before(to) {
			continue
		}
		return true, !s.ok
	}
	return false, false
}

// heardAfter reports whether the source reported anything at or after t.
func (a *Attributor) heardAfter(agent, line string, t time.Time) bool {
	r := a.spans[key{agent, line}]
	return r != nil && len(r.spans) > 0 && !r.spans[len(r.spans)-1].to.Before(t)
}

// Decide says what failed on line during [start, end); a zero end means
// the outage is still open (up to the latest evidence).
func (a *Attributor) Decide(line string, start, end time.Time) Decision {
	if a.topo == nil {
		return Decision{Unknown, "no inventory yet"}
	}
	open := end.IsZero()
	if open {
		end = farFuture
	}
	start, end = a.episode(line, start, end)
	var customer, network []string
	for agent := range a.lines[line] {
		if a.topo.CustomerSide(agent, line) {
			customer = append(customer, agent)
		} else {
			network = append(network, agent)
		}
	}
	sort.Strings(customer)
	sort.Strings(network)

	custFailed, custHeard, custBack := false, false, false
	for _, ag := range customer {
		any, failed, _ := a.seen(ag, line, start, end)
		custFailed = custFailed || failed
		custHeard = custHeard || any
		// Heard for a Gap past the end: its spool, sent oldest first, has
		// had time to bring any round it made during the outage.
		custBack = custBack || (!open && a.heardAfter(ag, line, end.Add(a.opts.Gap)))
	}
	var netFailed []string
	for _, ag := range network {
		if _, failed, _ := a.seen(ag, line, start, end); failed {
			netFailed = append(netFailed, ag)
		}
	}
	// The watcher's own uplink first: its failures say nothing about the
	// line when it lost everything it watches while others still reach
	// them, and the customer end did not fail.
	if !custFailed {
		for _, w := range netFailed {
			if n, proof, ok := a.lostEverything(w, start); ok {
				return Decision{WatcherUplink, fmt.Sprintf("watcher %s lost all %d lines it watches at once while %s still reached one of them: its own uplink failed, not the line", w, n, proof)}
			}
		}
	}
	switch {
	case len(customer) == 0 || len(network) == 0:
		return Decision{Unknown, "the line is watched from one end only"}
	case custFailed && len(netFailed) > 0:
		return Decision{Line, fmt.Sprintf("both ends lost each other: %s (customer side) and %s (network side) got no reply", strings.Join(customer, ", "), strings.Join(netFailed, ", "))}
	case custHeard || len(netFailed) == 0:
		return Decision{Unknown, "the two ends do not agree that the line failed"}
	}
	// The customer end was silent for the whole outage.
	if other := a.neighbourFailed(line, start, end); other != "" {
		return Decision{Unknown, fmt.Sprintf("the customer end was silent, but line %s on the same element %s failed too", other, a.topo.Element(line))}
	}
	if !custBack {
		return Decision{Unknown, fmt.Sprintf("the customer end (%s) is silent and %s gets no reply: a cut line and powered-off customer equipment look alike until the customer end is heard again", strings.Join(customer, ", "), strings.Join(netFailed, ", "))}
	}
	return Decision{CustomerPremises, fmt.Sprintf("the customer end (%s) sent nothing for the whole outage, not even spooled results, while %s got no reply and nothing else on its element failed: the customer's equipment was off or disconnected, the line was not cut", strings.Join(customer, ", "), strings.Join(netFailed, ", "))}
}

var farFuture = time.Unix(1<<40, 0)

// episode widens [start, end) to the whole failure it is part of: every
// failed run of any source on the line that overlaps it or touches it
// (within that source's pause), repeatedly. The detector no longer splits
// one cut when the CPE agent's spool arrives after the repair (linestate
// doc.go, "Late evidence"), but a provisional outage may still cover only
// part of a failure until late evidence is placed, and each part must
// be judged on the whole failure, not on a slice where one end happens to
// be silent.
func (a *Attributor) episode(line string, start, end time.Time) (time.Time, time.Time) {
	for changed, i := true, 0; changed && i < 16; i++ {
		changed = false
		for agent := range a.lines[line] {
			r := a.spans[key{agent, line}]
			if r == nil {
				continue
			}
			pause := r.joins()
			for _, s := range r.spans {
				if s.ok || s.to.Add(pause).Before(start) || !s.from.Add(-pause).Before(end) {
					continue
				}
				if s.from.Before(start) {
					start, changed = s.from, true
				}
				if !s.to.Before(end) && end != farFuture {
					end, changed = s.to.Add(time.Nanosecond), true
				}
			}
		}
	}
	return start, end
}

// lostEverything reports whether watcher w lost every line it reported on
// within the first Settle after start (at least two): its first round
// there failed (firstFailed), and another source reached one of those
// lines meanwhile, answering and never failing there (proof names it).
// The window starts at start's whole second, so the lines of one failure
// share the answer (memoised until the next Observe).
func (a *Attributor) lostEverything(w string, start time.Time) (n int, proof string, ok bool) {
	start = start.Truncate(time.Second)
	k := lostKey{w, start.Unix()}
	if a.lostAt != a.version || a.lost == nil {
		a.lost, a.lostAt = map[lostKey]lostVal{}, a.version
	}
	if v, hit := a.lost[k]; hit {
		return v.n, v.proof, v.ok
	}
	n, proof, ok = a.lostWithin(w, start)
	a.lost[k] = lostVal{n, proof, ok}
	return n, proof, ok
}

// lostWithin looks at the first Settle after start whatever the outage's
// end: an uplink down for a second is over before another source's next
// 1-Hz round, and clipping the window to the end left no proof, so a
// short outage's final cause read unknown where its live one (open, the
// whole window) had read watcher_uplink.
func (a *Attributor) lostWithin(w string, start time.Time) (n int, proof string, ok bool) {
	to := start.Add(a.opts.Settle)
	for line := range a.agents[w] {
		any, lost := a.firstFailed(w, line, start, to)
		if !any {
			continue
		}
		if !lost {
			return 0, "", false
		}
		n++
		for other := range a.lines[line] {
			if other == w {
				continue
			}
			// Reached it: answered, and never failed, in the window (a
			// cut of every line that healed within it is not proof).
			if _, f, s := a.seen(other, line, start, to); s && !f && (proof == "" || other < proof) {
				proof = other
			}
		}
	}
	return n, proof, n >= 2 && proof != ""
}

// neighbourFailed returns another line on line's upstream element that any
// source saw fail within [start, end), or "".
func (a *Attributor) neighbourFailed(line string, start, end time.Time) string {
	e := a.topo.Element(line)
	if e == "" {
		return ""
	}
	var found []string
	for other := range a.byElem[e] {
		if other == line {
			continue
		}
		for ag := range a.lines[other] {
			if _, failed, _ := a.seen(ag, other, start, end); failed {
				found = append(found, other)
				break
			}
		}
	}
	if len(found) == 0 {
		return ""
	}
	return slices.Min(found)
}
