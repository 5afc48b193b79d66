package shipper

import "github.com/prometheus/client_golang/prometheus"

// Drop reasons, the label values of vantage_controller_shipper_dropped_total.
const (
	reasonOverflow    = "overflow"    // the queue was full: the oldest points made room
	reasonUnencodable = "unencodable" // the point could not be encoded (a bug in building it)
	reasonRejected    = "rejected"    // InfluxDB refused the point on its own merits
)

type metrics struct {
	depth   prometheus.Gauge
	shipped prometheus.Counter
	retries prometheus.Counter
	dropped *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	const ns, sub = "vantage_controller", "shipper"
	m := &metrics{
		depth: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "queue_points",
			Help: "Points queued in the database for InfluxDB (line_state, line_event, agent)."}),
		shipped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "shipped_total",
			Help: "Queued points InfluxDB accepted."}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "retries_total",
			Help: "Failed write attempts of queued points (each is retried after a backoff)."}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "dropped_total",
			Help: "Points never written, by reason (overflow, unencodable, rejected)."}, []string{"reason"}),
	}
	for _, r := range []string{reasonOverflow, reasonUnencodable, reasonRejected} {
		m.dropped.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.depth, m.shipped, m.retries, m.dropped)
	}
	return m
}
