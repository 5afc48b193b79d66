// Package incident groups line failures into incidents. A line that goes
// down is its own incident, unless its failure and its siblings' have a
// common cause: lines below one upstream element went down within a short
// spread of each other (default two probe intervals of those lines) and
// they are a significant share of the element's watched lines (default
// half, and at least two), per element kind (Rule). Then they are one
// incident rooted at that element — 300 lines behind one PE card are one
// incident, not 300 alarms (DESIGN.md, "group before you notify") — while
// two ports of that card failing 20 s apart stay two. Lines below a failed
// element that were already down or flapping are listed in its incident as
// affected, with the state they were in (group.go says why and how an
// incident that starts as one line's is promoted). A flapping line is an
// incident of kind flapping for as long as it flaps. Silence (a line gone
// unknown because no agent hears it) closes no incident: an outage or
// flapping incident stays open until the line is heard again.
//
// The Grouper is pure: no I/O, no goroutines. It is fed line transitions in
// event time (Down, Up, FlappingStart, FlappingEnd) with what the inventory
// knows about each line (Line: customer, tier, element path, probe
// interval) and about the elements (Topology: kinds and watched lines),
// and returns the incidents each call changed, for the caller to persist.
// Its clock (Options.Now) only stamps when an incident was last changed;
// grouping decisions use the event times passed in and what the open
// incidents hold, so a replay, or a grouper restored from the stored
// incidents, gives the same incidents.
//
// Why group only into open incidents: once every line of an incident is
// back, the incident is over and its record final; a line failing after
// that is a new fault, even behind the same card. Why an element incident
// takes lines only within Options.Window of its start: a slowly spreading
// failure (a card rebooting port by port) should still be one incident,
// but a card that stays broken must not absorb every unrelated failure in
// its PoP for hours.
package incident
