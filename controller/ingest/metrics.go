package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Rejection reasons, the reason label of vantage_controller_results_rejected_total
// and the Vantage-Reason header of a dead letter.
const (
	ReasonDecode         = "decode"                // not a result batch (JSON, unknown keys, size)
	ReasonInvalid        = "invalid"               // breaks result.Schemas, or a bad subject
	ReasonAgentMismatch  = "agent_mismatch"        // batch.Agent differs from the subject
	ReasonFuture         = "future"                // event time beyond MaxFuture
	ReasonTooOld         = "too_old"               // event time older than the stream's MaxAge
	ReasonForbidden      = "forbidden_measurement" // a measurement only the controller writes (line_state, agent, ...)
	ReasonOutOfRange     = "out_of_range"          // a field outside its result.Schemas range (vantage_controller_results_out_of_range_total names it)
	ReasonInfluxRejected = "influx_rejected"       // InfluxDB refused the point
)

// Reasons a message is deferred, the reason label of
// vantage_controller_ingest_deferred_total.
const (
	deferInfluxUnavailable = "influx_unavailable" // InfluxDB failed a write (network, timeout, 5xx, ...) or is backing off after one
	deferQueueFull         = "queue_full"         // the Store's write-behind queue is full or its disk refused the append (ErrQueueFull)
)

// Message outcomes, the outcome label of vantage_controller_messages_total.
const (
	outcomeOK           = "ok"           // every result written, acked
	outcomePartial      = "partial"      // some results dead-lettered, the rest written, acked
	outcomeDeadLettered = "deadlettered" // nothing written; dead-lettered, acked or terminated
	outcomeRetry        = "retry"        // a sink or the dead-letter publish failed: nak with delay
	outcomeDeferred     = "deferred"     // line health took it, InfluxDB could not: nak with backoff (outage.go)
	outcomeAbandoned    = "abandoned"    // shutdown before InfluxDB took it: nak for another controller
	outcomeDuplicate    = "duplicate"    // a resend of a message written within Duplicates: acked, not written
)

type metrics struct {
	ingested      prometheus.Counter
	rejected      *prometheus.CounterVec
	outOfRange    *prometheus.CounterVec
	messages      *prometheus.CounterVec
	fetchMessages prometheus.Histogram
	writePoints   prometheus.Histogram
	pending       prometheus.Gauge
	fetchErrors   prometheus.Counter
	deferred      *prometheus.CounterVec
	// singlePass and reference count messages by how they were read
	// (vantage_controller_ingest_decode_path_total), resolved once: they
	// are counted on every message.
	singlePass, reference prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		ingested: f.NewCounter(prometheus.CounterOpts{
			Name: "vantage_controller_results_ingested_total",
			Help: "Results written to InfluxDB, or with the write-behind queue (controller/writebehind) appended to it for a later write. A redelivered message counts again (the write itself is idempotent).",
		}),
		rejected: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_results_rejected_total",
			Help: "Results dead-lettered, by reason: decode (counts 1 per message, its results are unknown), invalid, agent_mismatch, future, too_old, forbidden_measurement, out_of_range, influx_rejected, msg_id (a message id outside the agent's namespace; 1 per message).",
		}, []string{"reason"}),
		outOfRange: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_results_out_of_range_total",
			Help: "Results dead-lettered as out_of_range, by the field outside its contract range (measurement.field, e.g. ping.loss_pct).",
		}, []string{"field"}),
		messages: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_messages_total",
			Help: "Result messages handled, by outcome: ok, partial, deadlettered, retry, deferred, abandoned, duplicate.",
		}, []string{"outcome"}),
		fetchMessages: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "vantage_controller_ingest_fetch_messages",
			Help:    "Messages per pull from JetStream.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12), // 1 .. 2048
		}),
		writePoints: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "vantage_controller_ingest_write_points",
			Help:    "Points per ingest write (one pull's worth of results).",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10), // 1 .. 262144
		}),
		pending: f.NewGauge(prometheus.GaugeOpts{
			Name: "vantage_controller_ingest_pending_messages",
			Help: "Messages in the results stream not yet delivered to the consumer (its lag), as of the last pull.",
		}),
		fetchErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "vantage_controller_ingest_fetch_errors_total",
			Help: "Failed pulls from JetStream (connection lost, consumer missing); retried with backoff.",
		}),
		deferred: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_ingest_deferred_total",
			Help: "Message deliveries handed back to JetStream for a later redelivery (nak with backoff) after line health took them, by reason: influx_unavailable (their points could not be written), queue_full (the write-behind queue refused them). A message deferred N times counts N.",
		}, []string{"reason"}),
	}
	m.deferred.WithLabelValues(deferInfluxUnavailable)
	m.deferred.WithLabelValues(deferQueueFull)
	for _, r := range []string{ReasonDecode, ReasonInvalid, ReasonAgentMismatch, ReasonFuture, ReasonTooOld, ReasonForbidden, ReasonOutOfRange, ReasonInfluxRejected, ReasonMsgID} {
		m.rejected.WithLabelValues(r)
	}
	for _, o := range []string{outcomeOK, outcomePartial, outcomeDeadLettered, outcomeRetry, outcomeDeferred, outcomeAbandoned, outcomeDuplicate} {
		m.messages.WithLabelValues(o)
	}
	decodePath := f.NewCounterVec(prometheus.CounterOpts{
		Name: "vantage_controller_ingest_decode_path_total",
		Help: "Result messages by how they were read: single_pass (fastpath.go: the agents' canonical JSON, parsed, validated and encoded at once) or reference (decode, Validate, encode; anything the single pass is unsure of). A fleet whose messages drift to reference (another agent build, another encoder) costs the ingest about 2.6 times the CPU per result.",
	}, []string{"path"})
	m.singlePass, m.reference = decodePath.WithLabelValues("single_pass"), decodePath.WithLabelValues("reference")
	return m
}
