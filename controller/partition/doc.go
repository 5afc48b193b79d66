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
// The map follows the inventory (reload.go): every import that changes a
// row bumps the inventory version; each node reads it every lease tick
// and, when it moved, reads the inventory once, builds the new map and
// applies it to its partitions: in place (the Monitor refreshes from the
// node's read; a partition whose agents changed commits, then recreates
// its consumer with the new filter), or, for a partition that lost a
// line to another partition, by a restart through the handover path.
// Nodes switch up to a tick apart; the results stream refuses a consumer
// whose filter overlaps another's, so an agent moving to another
// controller's partition is taken there only after its old partition
// dropped it, its results waiting in the stream in order meanwhile.
package partition
