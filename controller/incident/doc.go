// Package incident groups line failures into incidents: lines that go down
// within a short window (Options.Window, default 30 s) and share an upstream
// element become one incident rooted at their lowest common element — 300
// lines behind one PE card are one incident, not 300 alarms (DESIGN.md,
// "group before you notify"). A line with no upstream element, or none in
// common with an open incident, is its own incident; a flapping line is an
// incident of kind flapping for as long as it flaps. Silence (a line gone
// unknown because no agent hears it) closes no incident: an outage or
// flapping incident stays open until the line is heard again.
//
// The Grouper is pure: no I/O, no goroutines. It is fed line transitions in
// event time (Down, Up, FlappingStart, FlappingEnd) with what the inventory
// knows about each line (Line: customer, tier, element path), and returns
// the incidents each call changed, for the caller to persist. Its clock
// (Options.Now) only stamps when an incident was last changed; grouping
// decisions use the event times passed in, so a replay gives the same
// incidents.
//
// Why group only into open incidents: once every line of an incident is
// back, the incident is over and its record final; a line failing after
// that is a new fault, even behind the same card. Why the window is measured
// from the incident's start and not from its newest line: a slowly
// spreading failure (a card rebooting port by port) should still be one
// incident, but a card that stays broken must not absorb every unrelated
// failure in its PoP for hours.
package incident
