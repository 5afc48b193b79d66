package linehealth

import (
	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/probes/result"
)

// outbox holds outputs until they are written: points for InfluxDB, events
// and incidents for the database. Everything in it is idempotent to write
// (InfluxDB overwrites a point with the same series and time; the database
// upserts), so writing part of it twice after a failure is harmless.
type outbox struct {
	points    []result.Result
	events    []storedEvent
	incidents []incident.Incident // later copies of one incident supersede earlier ones
}

// storedEvent is a line event with the customer it is recorded under.
type storedEvent struct {
	linestate.Event
	customer string
}

// recorded reports whether an event kind is kept as a line event; the
// flapping start and end are the flapping incident's business instead.
func recorded(k linestate.EventKind) bool {
	return k == linestate.Outage || k == linestate.Flap || k == linestate.Degraded
}

func (o *outbox) addState(tr linestate.Transition, customer string) {
	up := 0.0
	if tr.To == linestate.Up {
		up = 1
	}
	o.points = append(o.points, result.Result{Time: tr.Time, Measurement: "line_state",
		Tags: tags(tr.Line, customer), Fields: map[string]float64{"up": up}})
}

func (o *outbox) addEvent(ev linestate.Event, customer string) {
	if !recorded(ev.Kind) {
		return
	}
	o.events = append(o.events, storedEvent{ev, customer})
	t := tags(ev.Line, customer)
	t["kind"] = string(ev.Kind)
	// The point's time is the event's start, so a replayed event overwrites
	// its own point; started_unix repeats it as a field for Flux tables
	// that have lost _time in an aggregation.
	o.points = append(o.points, result.Result{Time: ev.Start, Measurement: "line_event", Tags: t,
		Fields: map[string]float64{
			"duration_s":   ev.Duration.Seconds(),
			"loss_pct":     lossPct(ev),
			"started_unix": float64(ev.Start.UnixMilli()) / 1e3,
		}})
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

func (o *outbox) len() int { return len(o.points) + len(o.events) + len(o.incidents) }

// take empties the outbox and returns what it held.
func (o *outbox) take() outbox {
	t := *o
	*o = outbox{}
	return t
}

// putBack returns what a flush could not write, ahead of what arrived
// meanwhile, so order is kept.
func (o *outbox) putBack(t outbox) {
	o.points = append(t.points, o.points...)
	o.events = append(t.events, o.events...)
	o.incidents = append(t.incidents, o.incidents...)
}

// trim drops the oldest points and events beyond max and returns how many.
// Incidents are never dropped: there are few, and they are what alerts use.
func (o *outbox) trim(max int) int {
	n := 0
	if over := len(o.points) - max; over > 0 {
		o.points = append(o.points[:0:0], o.points[over:]...)
		n += over
	}
	if over := len(o.events) - max; over > 0 {
		o.events = append(o.events[:0:0], o.events[over:]...)
		n += over
	}
	return n
}
