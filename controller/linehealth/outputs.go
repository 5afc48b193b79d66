package linehealth

import (
	"github.com/vantage-net/vantage/controller/cause"
	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/probes/result"
)

// outputs are what the detector produced and the database has not yet
// committed: the accepted evidence for the journal, events and incident
// changes for their tables, and points for the shipper's queue. They are
// committed together (commit.go). They wait here only while the database
// refuses a commit; everything in them is idempotent to write (upserts,
// and points that overwrite themselves), so a retry after a failure that
// did commit is harmless.
type outputs struct {
	evidence  []linestate.Evidence
	points    []shipper.Point
	events    []storedEvent
	incidents []incident.Incident // later copies of one incident supersede earlier ones
	states    []stateRow          // later rows of one line supersede earlier ones (states.go)
	causes    []causeRow          // incidents' changed causes (causes.go)
	resync    bool                // replace line_states whole (after a restore)
}

// storedEvent is a final line event with the customer it is recorded
// under, for an outage or flap its cause (controller/cause), and the
// line's late evidence notes (why it may differ from its live form); or,
// with live set, a line's live set and its events' causes (live.go).
type storedEvent struct {
	linestate.Event
	customer   string
	cause      cause.Decision
	late       []linestate.Late
	live       *linestate.LiveSet
	liveCauses []cause.Decision
}

// recorded reports whether an event kind is kept as a line event; the
// flapping start and end are the flapping incident's business instead.
func recorded(k linestate.EventKind) bool {
	return k == linestate.Outage || k == linestate.Flap || k == linestate.Degraded
}

func (o *outputs) addState(tr linestate.Transition, customer string) {
	up, flapping := 0.0, 0.0
	if tr.To == linestate.Up {
		up = 1
	}
	// flapping tells a dampened line from a down or unknown one (both up
	// 0), for the dashboards' flap leaderboard.
	if tr.To == linestate.Flapping {
		flapping = 1
	}
	o.points = append(o.points, shipper.Point{Result: result.Result{Time: tr.Time, Measurement: "line_state",
		Tags: tags(tr.Line, customer), Fields: map[string]float64{"up": up, "flapping": flapping}}})
}

// addLive queues a line's live set for the commit (live.go), with the
// cause of each of its events. Live events get no InfluxDB point:
// line_event holds final events only.
//
// A live set is the line's whole provisional view, so a later one
// supersedes a set of the same line still waiting here: the commit stores
// only what the detector ended with. Storing the sets between (a journal
// replay after a restart passes through every step of every flap again)
// turned a flap's row back into the open outage it had been, matched the
// next flap's row to that, and left retracted copies listed in the API.
func (o *outputs) addLive(set linestate.LiveSet, causes []cause.Decision) {
	for i := range o.events {
		if o.events[i].live != nil && o.events[i].Line == set.Line {
			o.events = append(o.events[:i], o.events[i+1:]...)
			break
		}
	}
	o.events = append(o.events, storedEvent{Event: linestate.Event{Line: set.Line}, live: &set, liveCauses: causes})
}

func (o *outputs) addEvent(ev linestate.Event, customer string, d cause.Decision, late []linestate.Late) {
	if !recorded(ev.Kind) {
		return
	}
	o.events = append(o.events, storedEvent{Event: ev, customer: customer, cause: d, late: late})
	t := tags(ev.Line, customer)
	t["kind"] = string(ev.Kind)
	if d.Cause != "" {
		t["cause"] = string(d.Cause)
	}
	// The point's time is the event's start, so a replayed event overwrites
	// its own point; started_unix repeats it as a field for Flux tables
	// that have lost _time in an aggregation.
	o.points = append(o.points, shipper.Point{Result: result.Result{Time: ev.Start, Measurement: "line_event", Tags: t,
		Fields: map[string]float64{
			"duration_s":   ev.Duration.Seconds(),
			"loss_pct":     lossPct(ev),
			"started_unix": float64(ev.Start.UnixMilli()) / 1e3,
		}}})
}

// lossPct: an outage or flap lost everything; a degradation its mean loss.
func lossPct(ev linestate.Event) float64 {
	if ev.Kind == linestate.Degraded {
		return ev.LossPct
	}
	return 100
}

func tags(line, customer string) map[string]string {
	t := map[string]string{"line": line}
	if customer != "" {
		t["customer"] = customer
	}
	return t
}

func (o *outputs) len() int {
	n := len(o.evidence) + len(o.points) + len(o.events) + len(o.incidents) + len(o.states) + len(o.causes)
	if o.resync {
		n++
	}
	return n
}

// take empties o and returns what it held.
func (o *outputs) take() outputs {
	t := *o
	*o = outputs{}
	return t
}

// putBack returns what a commit could not store, ahead of what was
// produced meanwhile, so order is kept.
func (o *outputs) putBack(t outputs) {
	o.evidence = append(t.evidence, o.evidence...)
	o.points = append(t.points, o.points...)
	o.events = append(t.events, o.events...)
	o.incidents = append(t.incidents, o.incidents...)
	o.states = append(t.states, o.states...)
	o.causes = append(t.causes, o.causes...)
	o.resync = o.resync || t.resync
}

// trim drops the oldest evidence, points, events and state rows beyond max
// each and returns how many (a dropped state row is rewritten at the
// line's next change). Incidents are never dropped: there are few, and they
// are what alerts use.
func (o *outputs) trim(max int) int {
	n := 0
	cut := func(l int) int {
		if over := l - max; over > 0 {
			n += over
			return over
		}
		return 0
	}
	if c := cut(len(o.evidence)); c > 0 {
		o.evidence = append(o.evidence[:0:0], o.evidence[c:]...)
	}
	if c := cut(len(o.points)); c > 0 {
		o.points = append(o.points[:0:0], o.points[c:]...)
	}
	if c := cut(len(o.events)); c > 0 {
		o.events = append(o.events[:0:0], o.events[c:]...)
	}
	if c := cut(len(o.states)); c > 0 {
		o.states = append(o.states[:0:0], o.states[c:]...)
	}
	return n
}
