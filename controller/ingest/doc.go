// Package ingest moves probe results from JetStream into InfluxDB.
//
// It owns the results stream VANTAGE_RESULTS (subjects vantage.results.>)
// and the dead-letter stream VANTAGE_DEADLETTER (vantage.deadletter.>), and
// reads the results through one durable pull consumer that several
// controllers may share.
//
// A pull returns as soon as a message arrives, with whatever else is
// already waiting (up to FetchBatch): it never waits for a batch to fill,
// which would add its wait to every detection (pull.go). Each pull is decoded and validated
// (result.Decode, with a fast path for the agents' canonical JSON, and
// Batch.Validate against the injected clock) and encoded into one
// influx.Batch. Each message's valid results go to the Sinks (line health)
// first, then the batch is written in a few large requests, once
// (Store.TryWrite; in the controller the Store is the write-behind queue,
// controller/writebehind, so the "write" is an append to local disk and
// InfluxDB is written behind it); Writers pulls are handled at once. A message is acked
// only after every Sink accepted its results and its own points were
// written; while a write runs the ingest tells JetStream "in progress".
//
// When InfluxDB cannot take the points (network, timeout, 5xx: not a
// point it refuses), the messages are nak'd with a delay that doubles per
// delivery (RetryDelay up to MaxRetryDelay, MaxDeliver unlimited) and the
// ingest goes on pulling, trying one write per backoff until InfluxDB
// answers (outage.go). Line health therefore never waits for InfluxDB; the
// raw results wait in the stream and are written, once, when it is back.
// The Sinks see a deferred message on every delivery and must be
// idempotent (line health drops evidence it already has).
//
// What is refused, and why it is dead-lettered rather than retried:
//
//   - a message whose id (Vantage-Msg-Id, or an old agent's Nats-Msg-Id)
//     does not start with its subject's agent id, reason msg_id: an attempt
//     to collide with another agent's ids (msgid.go). A resend of a message
//     already written is acked without writing (outcome duplicate).
//   - a message that does not decode, breaks the schema, or whose batch names
//     another agent than its subject: the whole message is published to
//     vantage.deadletter.<agent> unchanged and terminated. Half-writing a
//     message the controller does not fully understand would hide a version
//     mismatch between agent and controller.
//   - a result with an event time more than MaxFuture ahead (a broken agent
//     clock, reason future) or older than the stream's MaxAge (too_old):
//     only that result is dropped; the others of its batch are written,
//     because one bad timestamp says nothing about its neighbours, and an
//     agent clock that jumps forward mid-batch is the common case.
//   - a result of a measurement only the controller writes (line_state,
//     line_event, agent, ...: result.Schema.FromAgents false), reason
//     forbidden_measurement: an agent must not forge an outage or another
//     agent's registry entry. Only that result is dropped.
//   - a result with a value outside its contract range (result.Schema.Ranges:
//     loss_pct -5, rtt_avg_ms 1e308, HTTP status -999999, recv above sent),
//     reason out_of_range, the error naming measurement.field, also counted
//     by field in vantage_controller_results_out_of_range_total. Only that
//     result is dropped: a probe bug in one result says nothing of the rest.
//   - a point InfluxDB refuses (field type conflict, outside retention):
//     only that point; the message is acked once the rest is written.
//
// Every dead letter carries the headers Vantage-Reason, Vantage-Error,
// Vantage-Subject and Vantage-Stream-Seq, and a Nats-Msg-Id derived from
// the original sequence, so a redelivered message is not dead-lettered twice.
package ingest
