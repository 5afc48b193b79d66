package partition

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	owned    prometheus.Gauge
	moves    *prometheus.CounterVec
	takeover prometheus.Histogram
	messages prometheus.Counter
	points   prometheus.Counter
	evidence *prometheus.CounterVec
	dropped  *prometheus.CounterVec
	rewinds  prometheus.Counter
	refused  prometheus.Counter
	reloads  *prometheus.CounterVec
	version  prometheus.Gauge
}

// partitionRegisterer is where partition p's line-health Monitor
// registers its metrics (vantage_controller_health_*): reg with the label
// partition="<p>". At most cluster.partitions series sets per controller,
// and each partition's on one controller at a time: the worker
// unregisters them when the partition leaves (worker.go).
func partitionRegisterer(reg prometheus.Registerer, p int) prometheus.Registerer {
	if reg == nil {
		return nil
	}
	return prometheus.WrapRegistererWith(prometheus.Labels{"partition": strconv.Itoa(p)}, reg)
}

func newMetrics(reg prometheus.Registerer) *metrics {
	const ns, sub = "vantage", "controller_partition"
	m := &metrics{
		owned: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "owned",
			Help: "Partitions this controller owns."}),
		moves: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "moves_total",
			Help: "Partition ownership changes on this controller, by what happened (claimed, handed_back, lost, remapped: restarted here because an inventory change moved one of its lines to another partition)."}, []string{"change"}),
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
		refused: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "consumer_refused_total",
			Help: "Partition consumers the results stream refused, retried every tick: after an inventory change an agent's new partition waits until its old partition's owner has dropped it (filters of a work queue never overlap)."}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "inventory_reloads_total",
			Help: "Inventory re-reads after its version moved (or the periodic resync), by result (ok; error: the map in use is kept and the read retried next lease tick; release_error: a moved line's open incidents could not be closed)."}, []string{"result"}),
		version: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "inventory_version",
			Help: "Inventory version the partition map in use was built from."}),
	}
	if reg != nil {
		reg.MustRegister(m.owned, m.moves, m.takeover, m.messages, m.points, m.evidence, m.dropped, m.rewinds, m.refused, m.reloads, m.version)
	}
	return m
}
