// Package partition lets several controllers share the results by
// partition (issue 16, "Several controllers"): every line's detector state
// lives on exactly one controller at a time, and moves, with its state,
// when a controller joins or dies.
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
// Ownership lives in NATS only, never in the database (Leases): members
// refresh a key members.<id> in the JetStream KV bucket VANTAGE_PARTITIONS,
// whose TTL is the lease; the desired owner of a partition is the live
// member with the highest rendezvous hash; an owner refreshes owner.<n>
// by compare-and-set on its revision, a member claims a free partition by
// create. A controller that dies stops refreshing: its keys expire after
// one lease and the others claim its partitions on their next tick. A
// controller that joins is the desired owner of some partitions: their
// owners stop them (final snapshot handed over) and delete the key, and
// the newcomer claims them.
//
// Handover (Worker). A partition's detector state is saved, with the
// stream sequence of the newest message it includes, to the JetStream
// object store VANTAGE_HANDOVER every snapshot interval and when the
// partition is released. Messages are acked only once a saved snapshot
// includes them, so the results stream (work-queue retention, acked
// messages deleted) keeps, for each partition, exactly the messages its
// last snapshot does not include. A new owner restores the snapshot,
// deletes and recreates the partition's consumer (which also fences the
// old owner: its fetches and acks now go nowhere) and so receives exactly
// those messages again, in stream order: it continues where the old owner
// stopped, whether that owner released the partition or was SIGKILLed.
// Results the old owner had applied after its snapshot are applied again
// from the same state, giving the same final events; the event sink is
// idempotent by (line, kind, start) (Ledger), and raw points rewritten
// with the same series and timestamp overwrite themselves in InfluxDB, so
// nothing is counted twice. A worker that misses a delivery (sent on a
// connection that died, as when one NATS server of the cluster stops)
// rewinds the same way to its own last snapshot instead of waiting out
// the ack wait, after which the result would come too late.
package partition
