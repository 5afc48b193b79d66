package ingest

import (
	"sync"
	"time"
)

// What the ingest does while InfluxDB cannot take points.
//
// Line health must not wait for InfluxDB (issue 9): each message goes to
// the Sinks first (commit.go), and only then are its points written. When
// the write fails for a reason that is not the points' own, the messages
// are handed back to JetStream with NakWithDelay, and the ingest goes on
// pulling, so newer results keep reaching line health while the older
// ones wait, durably, in the stream.
//
// Why nak with a delay rather than hold the messages in memory and send
// "in progress" (the ingest did that before): held messages are memory,
// and the pipeline stops pulling once its few slots are full, which is
// what froze line health. A nak'd message costs the controller nothing;
// JetStream keeps it on disk and redelivers it after the delay, which
// doubles per delivery (Options.RetryDelay up to MaxRetryDelay, from the
// message's delivery count, so it survives a restart). Its limit is the
// consumer's MaxAckPending: nak'd messages stay pending, and once that
// many wait JetStream redelivers only those (see Options.MaxAckPending).
// MaxDeliver is unlimited (stream.go), so no number of failed attempts
// drops a message; only the stream's MaxAge does, as before.
//
// With the write-behind queue (controller/writebehind) the Store is a
// spool on disk and InfluxDB's outages are the queue's to ride out: the
// ingest sees a failure only when the queue is full or its disk refuses
// the append (ErrQueueFull), and then does exactly the above, so line
// health goes on and the results wait in JetStream until the queue has
// room (deferred reason queue_full).
//
// A point InfluxDB refuses on its own (400/422) is still bisected out and
// dead-lettered, and its message acked: that is not an outage.
//
// outage keeps a dead InfluxDB from costing a failed request per pull:
// after a failure, writes are deferred at once until a backoff has passed
// (probeDelay: doubling, at most maxProbeDelay), then one write probes; a
// success ends the outage.
type outage struct {
	mu       sync.Mutex
	failures int       // failed writes in a row; 0: InfluxDB took the last one
	next     time.Time // while failures > 0, no probe before this
	probing  bool      // a probe write is running
	why      string    // the deferred reason of the last failure
}

// reason is the deferred reason label of the outage under way.
func (o *outage) reason() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.why == "" {
		return deferInfluxUnavailable
	}
	return o.why
}

// try reports whether a write may be tried now. While InfluxDB is failing
// only one probe runs at a time, once its backoff has passed. A true
// answer must be followed by ok, failed or abandoned.
func (o *outage) try(now time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failures == 0 {
		return true
	}
	if o.probing || now.Before(o.next) {
		return false
	}
	o.probing = true
	return true
}

// ok records a write InfluxDB took; it returns how many failed writes in a
// row it ends (0: there was no outage).
func (o *outage) ok() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.failures
	o.failures, o.probing = 0, false
	return n
}

// failed records a write InfluxDB could not take and sets the next probe
// after backoff(failures); it reports whether this failure starts an
// outage.
func (o *outage) failed(now time.Time, backoff func(attempt int) time.Duration, why string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.why = why
	o.failures++
	o.probing = false
	o.next = now.Add(backoff(o.failures))
	return o.failures == 1
}

// abandoned ends a probe that shutdown interrupted, without a verdict.
func (o *outage) abandoned() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.probing = false
}

// maxProbeDelay caps the wait between probe writes during an outage. The
// messages' own redelivery delay may grow to MaxRetryDelay (a nak'd message
// costs nothing while it waits), but a probe is what ends the outage: with
// the probes on the same doubling as the messages, a returned InfluxDB went
// unnoticed for up to MaxRetryDelay, and every message pulled meanwhile was
// deferred for another MaxRetryDelay, so draining took up to twice that
// (TestFaultInfluxDown missed its 90 s). One failed write every 10 s is
// cheap; the drain after a return is now at most about 10 s + MaxRetryDelay.
const maxProbeDelay = 10 * time.Second

// probeDelay is the wait before the next probe write after the
// failures-th failed write in a row.
func (o *Options) probeDelay(failures int) time.Duration {
	return min(o.retryDelay(failures), maxProbeDelay)
}

// retryDelay is the wait before the attempt-th redelivery (1-based):
// RetryDelay doubled per attempt, capped at MaxRetryDelay.
func (o *Options) retryDelay(attempt int) time.Duration {
	d := o.RetryDelay
	for i := 1; i < attempt && d < o.MaxRetryDelay; i++ {
		d *= 2
	}
	return min(d, o.MaxRetryDelay)
}
