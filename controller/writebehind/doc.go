// Package writebehind puts a durable, bounded queue on disk between the
// ingest and InfluxDB, so that line health runs at the rate results
// arrive whatever InfluxDB does (issue 16).
//
// # Why
//
// The ingest hands each pull to line health first and then writes its
// points to InfluxDB before it acks the messages (controller/ingest). With
// the write in the ack path a slow InfluxDB stalls the pulls: at 50,000
// lines on a 2-core machine InfluxDB took 78% of the offered points, the
// backlog grew in JetStream, and line health, which only sees what is
// pulled, fell three minutes behind, so flaps and outages were placed
// after the detector's horizon and miscounted (docs/BENCHMARKS.md).
//
// # How
//
// Queue is the ingest's Store. TryWrite appends the pull's encoded points
// (line protocol, with each point's end offset) as one record to a spool
// on local disk (agent/spool: segment files, CRC-framed records, a cursor
// rewritten in place) and returns; the ingest then acks the messages.
// Run drains the spool oldest first: it reads records until it has about
// Options.MaxPoints points, writes them with influx.Writer.Write (which
// retries with backoff while InfluxDB is unavailable and bisects out the
// points it refuses), dead-letters refused points, and only then moves
// the spool's cursor past those records. So:
//
//   - Line health never waits for InfluxDB: a pull costs an append (a
//     write(2) into the page cache), not a round trip to InfluxDB.
//   - InfluxDB's lag is bytes on disk, bounded by Options.MaxBytes, not
//     memory in the controller nor pending messages in JetStream.
//   - Writes are larger: the drain joins the small records of live
//     traffic (a pull of a few messages) into requests of up to
//     Options.MaxPoints, waiting at most Options.Linger for them, which
//     costs InfluxDB less per point than many small requests.
//
// # Nothing lost, nothing doubled
//
// A record is appended before its messages are acked, and the cursor
// moves only after InfluxDB took the record's points. A crash (SIGKILL)
// between the two leaves acked results in the spool, drained after the
// restart; a crash after a write but before the cursor moved writes those
// points again, which InfluxDB absorbs (the same series, fields and
// timestamp overwrite themselves), so no point is counted twice. A crash
// before the append leaves the messages unacked in JetStream, which
// redelivers them. Durability against a power cut follows Options.Fsync,
// by default the embedded JetStream's own (once a second).
//
// # The bound
//
// When an append would take the spool past MaxBytes, or the disk refuses
// the write (full, read-only), TryWrite returns an error wrapping
// ingest.ErrQueueFull and appends nothing. The ingest then treats the pull
// as it treats an unavailable InfluxDB (controller/ingest/outage.go): line
// health has already taken the results, the messages are nak'd with
// backoff and wait in JetStream, and the append is tried again after the
// backoff. That is back-pressure, never a drop: it is counted in
// vantage_controller_influx_queue_refused_total{reason} and
// vantage_controller_ingest_deferred_total{reason="queue_full"}, and
// /healthz reports the full queue.
//
// # Scope
//
// One spool per controller, in its data directory: controllers that share
// the ingest consumer each drain their own. A controller that never comes
// back leaves its spool's points unwritten until it is started again on
// that directory. Cluster mode (controller/partition) keeps its own path,
// in which each partition acks results only after InfluxDB took them.
package writebehind
