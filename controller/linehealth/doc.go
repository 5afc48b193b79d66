// Package linehealth is the controller's line-health room: it turns ingested
// results into line states, events and incidents, and keeps them.
//
// Monitor is an ingest.Sink. For each message it feeds the results' line
// evidence to the event-time detector (controller/linestate) and, once a
// second, advances the detector on the controller's clock. What comes back:
//
//   - line_events in SQLite for reports and the API's counts and
//     availability: the detector's live (provisional) flaps and outages at
//     once, made final in place (same id) when the horizon passes, revised
//     or retracted visibly when late evidence changes them (live.go); a
//     replayed result never counts an event twice;
//   - incidents;
//   - line_state (final transitions) and line_event (final outages, flaps,
//     degradations only) points for InfluxDB's dashboards, queued in SQLite
//     for controller/shipper, which alone talks to InfluxDB;
//   - the incident grouper (controller/incident), fed with provisional
//     transitions, since incidents are what alerts follow and must open
//     within seconds, not after the lateness horizon.
//
// One job, one owner: the Monitor detects and commits; it writes all of the
// above, with the evidence that caused it (the journal), in ONE SQLite
// transaction before Handle returns, so the ingest acks only results whose
// consequences are stored, and InfluxDB being down or slow never holds up
// the ingest. The shipper ships the queued points. The inventory cache
// (lineCache) gives lines their customer, tier and element path. The commit
// also stores every changed line's current state (line_states, states.go),
// so the ReadModel (readmodel.go, views.go, customers.go), a type of its
// own, answers the API from the database alone: it never takes the
// detector's lock. The detector's state is
// snapshotted every SnapshotEvery and at shutdown; a restart restores it
// and replays the journal since (journal.go says why no event is lost or
// doubled by a crash at any point).
//
// Lines are known by their circuit id (the results' line tag). The
// inventory adds customer, tier (which picks the detector profile) and the
// element path (which roots incidents). Only lines of the inventory reach
// the Monitor (controller/evidence gates line evidence); a line removed from
// the inventory while the controller runs stays watched, with no customer,
// until the next restart, which drops every line the inventory does not
// know from the restored state (forgetUnknown).
//
// In cluster mode (controller/partition) each owned partition has a
// Monitor of its own with a Partition (partition.go): it caches, restores
// and rewrites only the partition's lines, keeps its own snapshot row and
// journal rows, and is fenced by an epoch in the shared database, so a
// partition's handover to another controller is this restart path.
package linehealth
