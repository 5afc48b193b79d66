// Package spool is the agent's store-and-forward: a log of segment files on
// disk that holds result messages from the moment they are batched until
// JetStream acknowledges them, across NATS outages, agent restarts and
// kill -9. It implements publish.Queue; without spool.dir the agent uses
// publish.MemQueue instead, which loses what it holds when the process ends.
//
// # What is spooled: batched messages, not single results
//
// The spool stores what the sender publishes — the encoded batch, its
// result count and its JetStream message id (<agent>-<epoch>-<seq>) — not
// the results before batching. Spooling messages means a replay after a
// restart sends byte-identical messages under the same ids: if the agent
// died after JetStream stored a message but before the acknowledgement
// reached the disk, the re-send is dropped by JetStream's duplicate window
// (the controller's stream keeps 5 minutes), and past that window the points
// are identical (same series, same timestamps, already made unique by the
// batcher) so the InfluxDB write is idempotent. Spooling single results and
// re-batching them on replay would give the same results new ids and new
// batch boundaries, so only InfluxDB idempotency would be left to catch
// duplicates, and JetStream would store them twice. It is also cheaper: one
// record, one write and (fsync: always) one fsync per batch of up to 500
// results instead of per result.
//
// # On disk
//
// Dir holds numbered segment files (00000000000000000001.seg, …) and a
// cursor file. Records are appended to the newest segment, each framed with
// a magic number, its length and a CRC-32C (record.go). The cursor (28
// bytes, rewritten in place, with its own CRC) says which records are gone:
// acknowledged, or dropped to respect the bounds (cursor.go). A segment file
// is deleted when none of its records is waiting any more. At open every
// segment is scanned: a record cut short at the end of the newest segment (a
// crash during write) is cut off and counted as torn; a record whose CRC
// fails elsewhere is skipped and counted as corrupt, and the scan resumes at
// the next intact record. Records are replayed oldest first, as written,
// with their original timestamps.
//
// # Durability: process crash versus power cut
//
// Push returns once its write(2) has completed, so the record is in the
// kernel's page cache. The page cache belongs to the kernel, not the
// process: a kill -9, an OOM kill or a panic of the agent loses nothing that
// Push returned for, whatever the fsync policy. A power cut or kernel crash
// loses what was not yet forced to the device:
//
//   - fsync: always — nothing that was spooled. One fsync per batch.
//   - fsync: interval (default, 1s) — at most the last second of batches.
//     Acknowledgements of that second may be forgotten too; those messages
//     are sent again and dropped as duplicates.
//   - fsync: never — whatever the kernel had not written back, typically up
//     to ~30s (Linux vm.dirty_expire_centisecs) of batches.
//
// # Bounds
//
// MaxBytes bounds the waiting records; MaxAge the time since spooling.
// Both drop the oldest first, count the results in
// vantage_agent_spool_dropped_total{reason} and log them (rate-limited), so
// no loss is silent. Pushing never waits for NATS or for space: the batcher,
// and the probes behind it, never block on an outage (bound.go explains why
// the head is exempt).
package spool
