// Package linehealth is the controller's line-health room: it turns ingested
// results into line states, events and incidents, and keeps them.
//
// Monitor is an ingest.Sink. For each message it feeds the results' line
// evidence to the event-time detector (controller/linestate) and, once a
// second, advances the detector on the controller's clock. What comes back
// goes to three places:
//
//   - InfluxDB: line_state (final transitions) and line_event (outages,
//     flaps, degradations), for dashboards;
//   - SQLite: line_events (upsert on circuit, kind and start: a replayed
//     result never counts an event twice) for reports and the API's
//     availability figures, and incidents;
//   - the incident grouper (controller/incident), fed with provisional
//     transitions, since incidents are what alerts follow and must open
//     within seconds, not after the lateness horizon.
//
// Outputs wait in a small outbox until written; Handle returns an error
// while they cannot be written, so the ingest redelivers the message (which
// the detector then sees as a duplicate) instead of acking results whose
// consequences are not stored. The detector's state is snapshotted to the
// database every SnapshotEvery and at shutdown, but only with an empty
// outbox, so a restart never forgets an event it had produced.
//
// Lines are known by their circuit id (the results' line tag). The
// inventory adds customer, tier (which picks the detector profile) and the
// element path (which roots incidents); a line the inventory does not know
// is still watched, with no customer.
package linehealth
