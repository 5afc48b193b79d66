// Package shipper carries the points the controller produces itself
// (line_state and line_event from line health, agent from the registry) to
// InfluxDB through a durable queue.
//
// Producers queue points in SQLite (the point_queue table), inside the
// transaction that commits the facts the points describe (EnqueueTx), or in
// a transaction of their own (Enqueue). From then on a point survives a
// SIGKILL of the controller and any InfluxDB outage, and producing it never
// waits for InfluxDB. One Shipper goroutine (Run) is the only reader: it
// takes the oldest rows, writes them, and deletes them only after InfluxDB
// answered (accepted them, or refused single points on their own merits,
// which retrying cannot fix). A failed write is retried with doubling
// backoff. A replayed point is harmless: the same series and timestamp
// overwrite themselves in InfluxDB.
//
// The queue is bounded (Options.MaxQueue): when an outage outlasts it, the
// oldest points are dropped, counted and logged, so a dead InfluxDB costs
// dashboard history, never the controller's disk.
package shipper
