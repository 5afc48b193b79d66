package linehealth

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	evidence            *prometheus.CounterVec
	uncommitted         prometheus.Gauge
	uncommittedDropped  prometheus.Counter
	writeErrors         *prometheus.CounterVec
	incidentsOpen       prometheus.Gauge
	lateIncidents       prometheus.Counter
	lines               prometheus.Gauge
	pending             prometheus.Gauge
	snapshotBytes       prometheus.Gauge
	snapshotSeconds     prometheus.Gauge
	snapshotLockSeconds prometheus.Gauge
	forgotten           prometheus.Counter
	inventoryReads      prometheus.Counter
	all                 []prometheus.Collector
}

// Unregister removes the Monitor's metrics from reg (the registerer New
// was given): a cluster partition's series go when the partition moves to
// another controller.
func (mon *Monitor) Unregister(reg prometheus.Registerer) {
	if reg == nil {
		return
	}
	for _, c := range mon.m.all {
		reg.Unregister(c)
	}
}

func newMetrics(reg prometheus.Registerer) *metrics {
	const ns, sub = "vantage_controller", "health"
	m := &metrics{
		evidence: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "evidence_total",
			Help: "Line evidence given to the detector, by verdict (accepted, duplicate, too_late, invalid, rejected)."}, []string{"verdict"}),
		uncommitted: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "uncommitted",
			Help: "Evidence, points, events and incidents waiting in memory because the database refused a commit."}),
		uncommittedDropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "uncommitted_dropped_total",
			Help: "Evidence, points and events dropped because the database refused commits for long."}),
		writeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "write_errors_total",
			Help: "Failed line-health commits (database) and unreadable journal rows at a restart (journal_unreadable)."}, []string{"store"}),
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
		snapshotLockSeconds: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "snapshot_lock_seconds",
			Help: "Time the last detector snapshot held up the ingest (waiting for and holding the Monitor's locks to take its view)."}),
		forgotten: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "restored_lines_dropped_total",
			Help: "Lines (and journal evidence) dropped at a restore because the inventory does not know them."}),
		inventoryReads: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "inventory_reads_total",
			Help: "Whole-inventory reads of a Monitor that reads its own (a single controller's): at the start, when the inventory version moved, and every inventory resync."}),
	}
	m.all = []prometheus.Collector{m.evidence, m.uncommitted, m.uncommittedDropped, m.writeErrors, m.incidentsOpen, m.lateIncidents, m.lines, m.pending,
		m.snapshotBytes, m.snapshotSeconds, m.snapshotLockSeconds, m.forgotten, m.inventoryReads}
	if reg != nil {
		reg.MustRegister(m.all...)
	}
	return m
}
