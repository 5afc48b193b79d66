package linehealth

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	evidence        *prometheus.CounterVec
	outbox          prometheus.Gauge
	outboxDropped   prometheus.Counter
	writeErrors     *prometheus.CounterVec
	incidentsOpen   prometheus.Gauge
	lateIncidents   prometheus.Counter
	lines           prometheus.Gauge
	pending         prometheus.Gauge
	snapshotBytes   prometheus.Gauge
	snapshotSeconds prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	const ns, sub = "vantage_controller", "health"
	m := &metrics{
		evidence: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "evidence_total",
			Help: "Line evidence given to the detector, by verdict (accepted, duplicate, too_late, invalid, rejected)."}, []string{"verdict"}),
		outbox: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "outbox",
			Help: "Points, events and incidents waiting to be written."}),
		outboxDropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "outbox_dropped_total",
			Help: "Points and events dropped because the outbox was full (InfluxDB or the database down for long)."}),
		writeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "write_errors_total",
			Help: "Failed writes of line-health outputs, by store (influx, database, influx_rejected)."}, []string{"store"}),
		incidentsOpen: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "incidents_open",
			Help: "Open incidents."}),
		lateIncidents: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "late_incidents_total",
			Help: "Incidents opened from a final outage event that no provisional down had covered (outage learnt from late results)."}),
		lines: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "lines",
			Help: "Lines the detector tracks."}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "pending_evidence",
			Help: "Evidence buffered for the lateness horizon, over all lines."}),
		snapshotBytes: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "snapshot_bytes",
			Help: "Size of the last detector snapshot."}),
		snapshotSeconds: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "snapshot_seconds",
			Help: "Time the last detector snapshot took."}),
	}
	if reg != nil {
		reg.MustRegister(m.evidence, m.outbox, m.outboxDropped, m.writeErrors, m.incidentsOpen, m.lateIncidents, m.lines, m.pending,
			m.snapshotBytes, m.snapshotSeconds)
	}
	return m
}
