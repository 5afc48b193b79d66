package linestate

import (
	"cmp"
	"slices"
	"time"
)

// State is what a line looks like to an operator.
type State uint8

const (
	// Unknown: no evidence yet, or every source of the line went silent.
	// Silence is not failure: the line may be fine and its only agent
	// gone, or down and its agent spooling.
	Unknown State = iota
	// Up: the line passes traffic.
	Up
	// Down: an outage is open.
	Down
	// Flapping: the dampening penalty is above Suppress. The line's
	// up/down changes are not reported as transitions while it flaps (one
	// long-running condition); its flaps are still counted as events.
	Flapping
)

var stateNames = [...]string{"unknown", "up", "down", "flapping"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "state?"
}

// Transition is a change of a line's State.
type Transition struct {
	Line     string
	From, To State
	// Time is the event time the new state began: for a down transition
	// the first failed evidence, for recovery the first recovered one, for
	// unknown the moment the last source became silent.
	Time time.Time
	// Final is false for the provisional view (emitted at once, on the
	// evidence seen so far, and rebuilt when late evidence arrives) and
	// true for the sealed view (emitted once the lateness horizon has
	// passed; never revised). Alerts use provisional transitions, the
	// line_state history uses final ones.
	Final bool
}

// Up reports whether the line came up.
func (t Transition) Up() bool { return t.To == Up }

// EventKind names a line event; outage, flap and degraded are the kind tag
// of the line_event measurement.
type EventKind string

// Event kinds.
const (
	Outage        EventKind = "outage"
	Flap          EventKind = "flap"
	Degraded      EventKind = "degraded"
	FlappingStart EventKind = "flapping_start"
	FlappingEnd   EventKind = "flapping_end"
)

// Event is a final (sealed) line event: it is emitted once and never
// revised, so it can be written to InfluxDB and the database as it comes.
// A live set (LiveSet) holds provisional ones, and an open outage there
// has a zero End.
type Event struct {
	Line string
	Kind EventKind
	// Start and End are event times. For an outage or flap they are the
	// first failed and the first recovered evidence; for an unseen flap
	// (Unseen) they only bound it. FlappingStart has no End.
	Start, End time.Time
	// Duration is End-Start (0 for an unseen flap, whose duration nobody saw).
	Duration time.Duration
	// LossPct is the mean loss of a degraded period.
	LossPct float64
	// Unseen marks a flap known only from SNMP's ifLastChange.
	Unseen bool
	// Suppressed marks a flap or outage that happened while the line was
	// flapping: count it, but do not alert on it.
	Suppressed bool
	// Penalty is the dampening penalty right after the event.
	Penalty float64
}

// Output is what one call of Add or Advance produced, sorted by time.
type Output struct {
	Transitions []Transition
	Events      []Event
	// Live holds the whole live set (provisional flaps and outages) of
	// each line whose set changed or whose seal produced flaps or
	// outages, after this output's Events (live.go).
	Live []LiveSet
}

func (o *Output) sort() {
	slices.SortStableFunc(o.Transitions, func(a, b Transition) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Line, b.Line))
	})
	slices.SortStableFunc(o.Events, func(a, b Event) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Kind, b.Kind))
	})
}

// Verdict says what Add did with a piece of evidence.
type Verdict uint8

const (
	// Accepted: buffered, and applied to the provisional view.
	Accepted Verdict = iota
	// Duplicate: the same line, source, probe and time is already buffered.
	Duplicate
	// TooLate: the evidence is older than what the line has sealed (its
	// event time is more than the horizon behind the watermark). It is not
	// applied; the caller should count and log it. A redelivered duplicate
	// of sealed evidence also lands here, and is harmless.
	TooLate
	// Invalid: the evidence failed validation.
	Invalid
	// Rejected: the line already has MaxSources sources.
	Rejected
)

var verdictNames = [...]string{"accepted", "duplicate", "too_late", "invalid", "rejected"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "verdict?"
}
