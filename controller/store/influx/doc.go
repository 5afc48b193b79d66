// Package influx writes probe results to InfluxDB as line protocol.
//
// It speaks the InfluxDB 2.x write API through influxdb-client-go's blocking
// write API, which also serves InfluxDB 1.8+ through its v2 compatibility
// endpoints (bucket "database/retention-policy", token "user:password"). The
// blocking API is deliberate: the non-blocking one retries in the background
// and drops batches it cannot place, while the controller must know exactly
// which points landed before it acknowledges a NATS message.
//
// Encoding follows DESIGN.md: measurement, tag "agent" from the batch plus the
// result's tags, fields typed per result.Schemas, string field "error" for a
// failed round, nanosecond timestamps in event time.
//
// Write retries what is transient (network errors, 5xx, 429, and also
// authorisation and missing-bucket errors, which an operator fixes without
// the data having to be thrown away) until its context ends. A 400 or 422
// means some point is bad: Write bisects the batch to find those points and
// returns them as rejected, so one bad point never blocks the rest. Rewriting
// good points while bisecting is harmless because InfluxDB overwrites a point
// with the same measurement, tag set and timestamp.
package influx
