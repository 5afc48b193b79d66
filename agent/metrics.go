package agent

import prometheus "github.com/vantage-net/vantage/internal/metrics"

// metrics are the agent's own figures on /metrics, namespaced vantage_agent_.
type metrics struct {
	produced  *prometheus.CounterVec
	published prometheus.Counter
	dropped   prometheus.Counter
	skipped   *prometheus.CounterVec
	// confirmRounds and confirmRefused count confirmation rounds started
	// and refused by confirm_budget, by probe.
	confirmRounds  *prometheus.CounterVec
	confirmRefused *prometheus.CounterVec
	roundErrors    *prometheus.CounterVec
	publishFails   prometheus.Counter
	urgent         prometheus.Counter
	reconnects     prometheus.Counter
	connected      prometheus.Gauge
	queue          prometheus.GaugeFunc
	reloads        prometheus.Counter
	configRev      prometheus.Gauge
	// lateness is how long after its scheduled time a round started: the
	// scheduler's error, which grows when the agent cannot keep up.
	lateness prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer, queueDepth func() float64) *metrics {
	m := &metrics{
		produced: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_results_total",
			Help: "Results produced by probes, by probe name."}, []string{"probe"}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_agent_results_published_total",
			Help: "Results acknowledged by JetStream."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_agent_results_dropped_total",
			Help: "Results lost: dropped oldest first from a full queue or spool, past spool max_age, unreadable from the spool, or not encodable."}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_rounds_skipped_total",
			Help: "Slots not started, by probe and reason: busy (the target's previous round was still running, e.g. waiting for a reader short of CPU), stall (the agent fell an interval or more behind)."}, []string{"probe", "reason"}),
		confirmRounds: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_confirm_rounds_total",
			Help: "Confirmation rounds started: a failed target probed again at the probe's confirm.interval."}, []string{"probe"}),
		confirmRefused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_confirm_refused_total",
			Help: "Confirmation rounds refused by confirm_budget (lower priorities first); the target waits for its next slot."}, []string{"probe"}),
		roundErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_round_errors_total",
			Help: "Failed rounds by probe and error class."}, []string{"probe", "class"}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "vantage_agent_round_lateness_seconds",
			Help:    "How long after its scheduled time a round started (the scheduler's error; rounds start in 5 ms steps).",
			Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .25, .5, 1}}),
		publishFails: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_agent_publish_errors_total",
			Help: "Publish attempts that JetStream did not acknowledge (retried)."}),
		urgent: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_agent_urgent_flushes_total",
			Help: "Messages sent at once, without waiting for publish.batch_delay, because a round failed after its target had answered."}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_agent_nats_reconnects_total",
			Help: "Reconnections to NATS."}),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vantage_agent_nats_connected",
			Help: "1 while connected to NATS."}),
		queue: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vantage_agent_spool_depth",
			Help: "Results waiting for JetStream's acknowledgement, in the disk spool (spool.dir) or in memory."}, queueDepth),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_agent_config_reloads_total",
			Help: "Remote config revisions applied without a restart."}),
		configRev: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vantage_agent_config_revision",
			Help: "Remote config revision running (KV revision of VANTAGE_AGENT_CONFIG/<agent_id>); 0 is the local file."}),
	}
	reg.MustRegister(m.produced, m.published, m.dropped, m.skipped, m.confirmRounds, m.confirmRefused, m.roundErrors, m.lateness, m.publishFails, m.urgent,
		m.reconnects, m.connected, m.queue, m.reloads, m.configRev)
	return m
}
