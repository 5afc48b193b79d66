package ingest

import (
	"errors"
	"time"
)

// Subject names fixed by DESIGN.md; they are contracts, not options.
const (
	// ResultsSubjectPrefix is followed by the agent id: vantage.results.<agent_id>.
	ResultsSubjectPrefix = "vantage.results."
	// DeadLetterSubjectPrefix is followed by the agent id (or "unknown").
	DeadLetterSubjectPrefix = "vantage.deadletter."
)

// Headers of a dead-lettered message, for `nats stream view` and tooling.
const (
	// HeaderReason is the rejection reason: decode, invalid, agent_mismatch,
	// future, too_old, forbidden_measurement, out_of_range, influx_rejected,
	// msg_id (the reason label of
	// vantage_controller_results_rejected_total).
	HeaderReason = "Vantage-Reason"
	// HeaderError is the error text: the offending field path and why.
	HeaderError = "Vantage-Error"
	// HeaderSubject is the subject the original message arrived on.
	HeaderSubject = "Vantage-Subject"
	// HeaderStreamSeq is the original message's sequence in the results stream.
	HeaderStreamSeq = "Vantage-Stream-Seq"
)

// Options configure the ingest. Zero values take the defaults documented on
// each field.
type Options struct {
	// Stream is the results stream's name. Default "VANTAGE_RESULTS".
	Stream string
	// MaxAge is how long an unconsumed result may wait in the stream, the
	// longest InfluxDB outage the controller rides out without loss.
	// A result whose event time is older than this is refused (too_old).
	// Default 7 days.
	MaxAge time.Duration
	// MaxBytes bounds the stream's disk use. When it is full the stream
	// refuses new messages (discard "new") and agents keep results in their
	// disk spools, so nothing already accepted is dropped. Default 10 GiB.
	MaxBytes int64
	// Duplicates is how long the ingest remembers a written message's id,
	// keyed by agent (the subject) and Vantage-Msg-Id, to skip an agent's
	// resend after a lost acknowledgement (within seconds, or after its
	// uplink returns). It is not JetStream's stream-wide window, which any
	// agent could use against another's ids (msgid.go). A resend after the
	// window, after a restart or to another controller is written again,
	// which is harmless because InfluxDB writes are idempotent. Default 5m.
	Duplicates time.Duration
	// Replicas is the stream's replica count: 1 for an embedded server,
	// 3 on a NATS cluster. Default 1.
	Replicas int

	// Consumer is the durable pull consumer's name. Controllers that share
	// one name share the work. Default "vantage-ingest".
	Consumer string
	// AckWait is how long JetStream waits for an ack before redelivering.
	// The ingest sends "in progress" every AckWait/3 for messages it holds
	// (a slow write), and hands back with a delay what InfluxDB could not
	// take, so AckWait only decides how soon the messages of a crashed
	// controller go to another one. Default 30s.
	AckWait time.Duration
	// MaxAckPending caps messages delivered but not yet acked across all
	// controllers sharing the consumer. While InfluxDB is down it is also
	// how far line health can run ahead of InfluxDB: messages handed back
	// for later (outage.go) stay pending, and once MaxAckPending of them
	// wait JetStream delivers only those again, so newer results reach
	// line health when InfluxDB is back (late, placed in event time). Each
	// costs the server a few dozen bytes, the controller nothing (it keeps
	// only (Writers + 2) × FetchBatch messages in memory), and a redelivery
	// every MaxRetryDelay. It must be at least 3 × FetchBatch. Default
	// 10,000: at 100 messages/s (1,000 agents batching every 10 s) line
	// health stays live for the first 100 s of an InfluxDB outage.
	MaxAckPending int
	// FetchBatch is the most messages taken per pull. Default 100: with the
	// agents' batches of tens to hundreds of results that makes InfluxDB
	// writes of a few thousand points.
	FetchBatch int
	// Writers is how many pulls are written to the Store at once, each by
	// its own Store.TryWrite and each acked as soon as its own points landed.
	// Default 2: with one, InfluxDB sits idle while a request's WAL fsync
	// and response, the acks and the sinks run. On the 2-core lab machine
	// bench/ingest drained 103-107k results/s with 1 and 116-157k with 2
	// (one pull of 100 agent batches of 50 is one request of 5,000
	// points); more only crowd a small server. MaxAckPending should then
	// be at least (Writers + 2) × FetchBatch: the pulls being written, one
	// waiting and one being decoded.
	Writers int
	// FetchMaxBytes bounds one pull's payload. Default 16 MiB.
	FetchMaxBytes int
	// FetchMaxWait is how long a pull waits for its first message before
	// it is renewed. A pull returns as soon as a message arrives, with
	// whatever else is already waiting (up to FetchBatch): it never waits
	// for a batch to fill, so this adds no latency. It bounds how long a
	// shutdown waits for the pull under way. Default 500ms.
	FetchMaxWait time.Duration

	// MaxFuture is how far ahead of the controller's clock a result's event
	// time may be before it is refused as a broken agent clock. Default 5m.
	MaxFuture time.Duration
	// Now is the clock for MaxFuture. Default time.Now.
	Now func() time.Time
	// Progress, if set, is told after each pull was fed to the Sinks how
	// far the consumer got: every message that reached the stream up to
	// arrived (its stream timestamp) was fed, and caughtUp says none waits
	// after it (also reported, with a zero time, when an empty pull finds
	// nothing pending). Calls come in stream order, one at a time. Line
	// health's clock follows it (linehealth.Monitor.Consumed),
	// so a backlog is judged by when it reached the stream.
	Progress func(arrived time.Time, caughtUp bool)

	// DeadLetterStream keeps rejected messages and results for inspection.
	// Default "VANTAGE_DEADLETTER".
	DeadLetterStream string
	// DeadLetterMaxAge is how long dead letters are kept. Default 30 days.
	DeadLetterMaxAge time.Duration
	// DeadLetterMaxBytes bounds the dead-letter stream; the oldest go first
	// so a flood of garbage cannot stop the ingest. Default 1 GiB.
	DeadLetterMaxBytes int64

	// SinkRetryDelay is how long a message waits before redelivery when a
	// Sink failed on it. Default 5s.
	SinkRetryDelay time.Duration
	// RetryDelay is how long a message waits before redelivery when
	// InfluxDB could not take its points (after the Sinks took it); it
	// doubles with each delivery up to MaxRetryDelay. While InfluxDB stays
	// unavailable, at most one write is tried per such delay (outage.go).
	// Default 2s.
	RetryDelay time.Duration
	// MaxRetryDelay caps RetryDelay's doubling: the longest a result waits
	// in JetStream after InfluxDB is back. Default 1 min.
	MaxRetryDelay time.Duration
	// ShutdownGrace is how long Run keeps writing what it already fetched
	// after its context ends. What is not written by then is handed back
	// to JetStream (nak) for the next controller. Default 10s.
	ShutdownGrace time.Duration
	// UnhealthyAfter is how long pulls from JetStream must keep failing
	// before Healthy reports it. Default 30s.
	UnhealthyAfter time.Duration
}

func (o *Options) setDefaults() error {
	def := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	if o.Stream == "" {
		o.Stream = "VANTAGE_RESULTS"
	}
	def(&o.MaxAge, 7*24*time.Hour)
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 30
	}
	def(&o.Duplicates, 5*time.Minute)
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.Consumer == "" {
		o.Consumer = "vantage-ingest"
	}
	def(&o.AckWait, 30*time.Second)
	if o.FetchBatch <= 0 {
		o.FetchBatch = 100
	}
	if o.Writers <= 0 {
		o.Writers = 2
	}
	if o.MaxAckPending <= 0 {
		o.MaxAckPending = 10_000
	}
	if o.MaxAckPending < 3*o.FetchBatch {
		return errors.New("ingest: MaxAckPending must be at least 3 × FetchBatch (one batch fetched, one waiting, one being written)")
	}
	if o.FetchMaxBytes <= 0 {
		o.FetchMaxBytes = 16 << 20
	}
	def(&o.FetchMaxWait, 500*time.Millisecond)
	def(&o.MaxFuture, 5*time.Minute)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DeadLetterStream == "" {
		o.DeadLetterStream = "VANTAGE_DEADLETTER"
	}
	def(&o.DeadLetterMaxAge, 30*24*time.Hour)
	if o.DeadLetterMaxBytes <= 0 {
		o.DeadLetterMaxBytes = 1 << 30
	}
	def(&o.SinkRetryDelay, 5*time.Second)
	def(&o.RetryDelay, 2*time.Second)
	def(&o.MaxRetryDelay, time.Minute)
	o.MaxRetryDelay = max(o.MaxRetryDelay, o.RetryDelay)
	def(&o.ShutdownGrace, 10*time.Second)
	def(&o.UnhealthyAfter, 30*time.Second)
	return nil
}
