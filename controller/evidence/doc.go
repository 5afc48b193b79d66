// Package evidence decides which results are evidence about a line.
//
// An agent is an untrusted edge box: one may be stolen, copied or
// tampered with. It may report on the lines it is assigned to watch (those
// starting at its site, those it watches from the network side:
// inventory.Watched), and on nothing else. The Gate sits between the
// ingest and line health (controller/linehealth): a result whose line tag
// names a line the publishing agent (from the NATS subject, which the
// server ties to its credentials) is not assigned to watch is still
// stored in InfluxDB as a measurement, but never reaches line health, so
// it opens no incident and writes no line_state or line_event. Such
// results are counted by reason in
// vantage_controller_line_evidence_refused_total:
//
//   - unknown_line: the inventory has no such line. Line health never
//     tracks it, so invented line tags cannot grow its memory or fill
//     /api/v1/lines.
//   - not_assigned: the line exists, but this agent does not watch it
//     (another customer's line, say).
//
// Results without a line tag pass unchanged. The assignments are cached
// and re-read every Options.Refresh, and at most every
// Options.MissRefresh when a result names a line the cache does not give
// its agent, so a line imported a moment ago is trusted within seconds
// while a flood of invented lines costs one query per MissRefresh.
package evidence
