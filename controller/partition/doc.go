// Package partition lets several controllers share the results by
// partition (issue 16, "Several controllers"): every line's line health
// (detector, events, incidents) lives on exactly one controller at a
// time, and moves, its state restored from the shared database, when a
// controller joins or dies.
//
// The partition key is the top of a line's element tree, its PoP: lines
// that can fail together (a PoP, its routers, cards and ports) share a
// partition, so incident grouping never needs two controllers. PoPs are
// hashed onto a fixed number of partitions (Map), so the number of
// consumers does not grow with the inventory.
//
// How results reach the owner of a line's PoP. Agents keep publishing on
// their own subject, vantage.results.<agent>; nothing about an agent's
// permissions changes. Each agent has one home partition, from the
// inventory: the partition of the PoP most of the lines it watches hang
// from (a PoP agent and a CPE agent watch lines of one PoP). Each
// partition has one durable pull consumer on the results stream, filtered
// to the subjects of the agents homed there. The results stream keeps
// work-queue retention, which requires consumers' filters not to overlap:
// so every message is taken by exactly one partition, and its raw points
// are written to InfluxDB once. Chosen over the alternatives because:
//   - a subject mapping or stream transform can only rearrange an agent's
//     subject tokens (or hash them); it cannot look a PoP up in the
//     inventory, and asking agents to publish under a PoP token would let
//     a stolen agent write into any partition's subject;
//   - a re-keyed stream fed by the ingest would store every result twice
//     and put a router in front of every controller, a single point of
//     failure with its own ownership problem.
//
// An agent watching lines under two PoPs in different partitions (a hub
// agent) is homed in one; its evidence for lines of the other partitions
// is not line evidence there (counted as
// vantage_controller_partition_foreign_evidence_total, and logged when the
// map is built).
//
// Ownership is decided in NATS (Leases): members refresh a key
// members.<id> in the JetStream KV bucket VANTAGE_PARTITIONS, whose TTL is
// the lease; the desired owner of a partition is the live member with the
// highest rendezvous hash; an owner refreshes owner.<n> by compare-and-set
// on its revision, a member claims a free partition by create. A
// controller that dies stops refreshing: its keys expire after one lease
// and the others claim its partitions on their next tick. A controller
// that joins is the desired owner of some partitions: their owners stop
// them (last commit, final snapshot) and delete the key, and the newcomer
// claims them. The shared database fences what a lease cannot: a paused
// old owner that still believes in its lease (linehealth.Partition: each
// new owner bumps the partition's epoch before it restores, and a commit
// of an older epoch is rolled back, so it stops).
//
// Line health (Worker). Each owned partition runs the single controller's
// line health, a linehealth.Monitor limited to the partition's lines, on
// the shared PostgreSQL database: the worker feeds it the evidence of its
// partition's lines, writes the raw points to InfluxDB, and acks a pull's
// messages only after the Monitor committed them (evidence journal,
// events, incidents, line states, the notify outbox: one transaction), as
// one controller's ingest does. The API of any controller reads what
// every partition committed (line_events, line_states, incidents); there
// is no other store of events. Notifications are the outbox's, written in
// those commits and sent by every controller's sender under row leases,
// once per idempotency key.
//
// Handover is the single controller's restart path. A new owner (after a
// graceful hand-back or a SIGKILL) takes the partition in the database,
// restores the partition's snapshot (detector_snapshots
// "linestate.p<n>", saved every cluster.snapshot_interval) and replays its
// journal rows after it: the detector is where the old owner's last commit
// left it, and its open incidents keep their IDs. Then it deletes and
// recreates the partition's consumer (which also cuts the old owner off:
// its fetches and acks go nowhere), and so receives every message not
// acked, in stream order. Those the old owner had committed but not acked
// are duplicates to the detector, which counts nothing twice; raw points
// written again overwrite themselves in InfluxDB. The detector's lateness
// counts from each message's arrival in the stream, not from when the
// owner got to it (linehealth.Options.ArrivalClock): its clock stands
// still from the restore until the consumer reports, and follows the
// arrival times while the consumer is behind, so a backlog older than the
// horizon by the wall clock is still placed exactly. A worker that misses a
// delivery (sent on a connection that died, as when one NATS server of the
// cluster stops) recreates its consumer the same way instead of waiting
// out the ack wait, after which the result would come too late.
//
// The map is built once, at start (FromInventory), and an inventory
// change does not reach a running cluster; restart the controllers (one
// at a time: each restart is a graceful hand-back) after an import that
// adds agents, lines or PoPs. What a running cluster does with them: a
// new agent's subject is in no partition's filter, so its results wait
// unconsumed in the results stream (up to ingest.stream_max_age), are
// neither written to InfluxDB nor detected, and are taken after the
// restart; a new line of a known agent, or one moved to another PoP, is
// not in the map: its evidence is counted as
// vantage_controller_partition_evidence_total{outcome="unknown_line"} (or
// goes to the old PoP's partition) and dropped while its raw points are
// written. Why not live: every controller would have to switch to the
// new map at one point of each agent's stream, and the per-partition
// filters of a work-queue stream must never overlap, so an agent whose
// home partition changes needs its old consumer drained and cut (its
// unacked results moved in order) before the new one may filter it, on
// two controllers at once. That protocol (a map version in the lease
// bucket, owners re-filtering at an agreed stream sequence) is not built.
package partition
