// Package cause says what failed when a line watched from both ends goes
// down: the line itself, the customer's premises, or the uplink of the
// agent watching it from the network side.
//
// A line's A-end site agent watches it from the customer side; its
// z_end_site and watchers watch it from the network side
// (controller/inventory, WatchedLines). With both ends reporting, a failure
// reads differently from each:
//
//   - line: both ends lose each other. The customer-side agent's rounds
//     failed during the outage (usually learnt late: its only uplink is the
//     line, so it spooled them) and so did the network side's.
//   - customer_premises: the customer-side agent fell silent (no result at
//     all for the outage, not even spooled ones, once it is heard again)
//     while the network side got no reply, and nothing else on the line's
//     upstream element failed. A CPE that is powered off is this, not a
//     line cut, and must not be reported to the customer as one.
//   - watcher_uplink: a network-side agent lost every line it watches at
//     once while another source still reached at least one of them: its own
//     uplink failed, not the lines.
//   - unknown: the line is watched from one end only, or the ends do not
//     tell yet (the customer side is silent and not heard since: a cut and
//     a powered-off CPE look alike until it speaks again).
//
// Why a package of its own and not controller/linestate or
// controller/linehealth: linestate is pure per line and decides state from
// the evidence of one line; a cause needs other lines (everything a
// watcher watches, the neighbours on an element) and which side each
// source is on, which only the inventory knows. linehealth owns storage and
// wiring; keeping the reasoning here makes it a pure function of the
// evidence it was shown, testable per cause without a database, and lets
// linehealth ask it again when late evidence arrives (a cause is revised
// like a provisional event, and final with it).
//
// The Attributor is deterministic: it keeps per (agent, line) the spans of
// consecutive successful or failed rounds it was shown, in event time, and
// decides from them alone; its clock (Options.Now) only trims spans older
// than Options.Retain. No I/O, no goroutines; the caller serialises calls.
package cause
