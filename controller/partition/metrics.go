package partition

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	owned    prometheus.Gauge
	moves    *prometheus.CounterVec
	takeover prometheus.Histogram
	messages prometheus.Counter
	points   prometheus.Counter
	evidence *prometheus.CounterVec
	dropped  *prometheus.CounterVec
	rewinds  prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	const ns, sub = "vantage", "controller_partition"
	m := &metrics{
		owned: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "owned",
			Help: "Partitions this controller owns."}),
		moves: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "moves_total",
			Help: "Partition ownership changes on this controller, by what happened (claimed, handed_back, lost)."}, []string{"change"}),
		takeover: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "takeover_seconds",
			Help: "From claiming a partition to consuming it: taking it in the database, restoring its line health (snapshot and journal) and recreating its consumer.", Buckets: prometheus.DefBuckets}),
		messages: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "messages_total",
			Help: "Result messages applied by this controller's partitions."}),
		points: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "points_written_total",
			Help: "Raw result points written to InfluxDB by this controller's partitions."}),
		evidence: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "evidence_total",
			Help: "Line evidence by outcome: applied, unknown_line, not_assigned, foreign (a line of another partition: its agent is homed elsewhere)."}, []string{"outcome"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "dropped_total",
			Help: "Messages or points dropped, by reason."}, []string{"reason"}),
		rewinds: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "rewinds_total",
			Help: "Partition consumers recreated because a delivery was missing (lost in flight on a dying connection): the rest is delivered again in order."}),
	}
	if reg != nil {
		reg.MustRegister(m.owned, m.moves, m.takeover, m.messages, m.points, m.evidence, m.dropped, m.rewinds)
	}
	return m
}
