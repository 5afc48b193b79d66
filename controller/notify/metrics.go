package notify

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	total    *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	lateness *prometheus.HistogramVec
	pending  prometheus.Gauge
	// oldestDue: seconds since the oldest unsent due message was due
	// (refresh.go).
	oldestDue prometheus.Gauge
	// maintenance announcements (maintenance.go)
	coverage        prometheus.Gauge
	windowCustomers *prometheus.GaugeVec
	proactive       *prometheus.GaugeVec
	pruned          *prometheus.CounterVec // retention.go
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_controller_notifications_total",
			Help: "Notifications by channel, kind and outcome: queued (written to the outbox), sent, retry (attempt failed, will retry), failed (given up), cancelled (incident ended before it was due), rate_limited (held back)."},
			[]string{"channel", "kind", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "vantage_controller_notification_latency_seconds",
			Help:    "Incident start (event time) to the channel accepting the message; includes the tier's configured delay.",
			Buckets: []float64{1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}}, []string{"channel", "kind"}),
		lateness: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "vantage_controller_notification_lateness_seconds",
			Help:    "Time from a message being due (delay, quiet hours) to the channel accepting it.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300}}, []string{"channel"}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vantage_controller_notifications_pending",
			Help: "Outbox messages not yet sent, failed or cancelled (waiting for their due time, a retry or a worker)."}),
		oldestDue: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vantage_controller_notifications_oldest_due_seconds",
			Help: "Seconds since the oldest message not yet sent, failed or cancelled was due (0 with none): the backlog's age, shared by every controller on one database."}),
	}
	m.coverage = prometheus.NewGauge(prometheus.GaugeOpts{Name: "vantage_controller_maintenance_announcement_coverage",
		Help: "Of the customers affected by maintenance windows not yet ended whose notice is due, the share a notice reached (1 when none)."})
	m.windowCustomers = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "vantage_controller_maintenance_customers",
		Help: "Customers affected by maintenance windows not yet ended whose notice is due (state affected), and those told (state told)."},
		[]string{"state"})
	m.proactive = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "vantage_controller_proactive_ratio",
		Help: "Per tier, over incidents of the last 30 days: impacts customers were told about before any complaint / impacts (README: proactive ratio); refreshed every minute."},
		[]string{"tier"})
	m.pruned = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_controller_notify_pruned_total",
		Help: "Rows deleted by notify's retention (notify.retention), by table."}, []string{"table"})
	if reg != nil {
		reg.MustRegister(m.total, m.latency, m.lateness, m.pending, m.oldestDue, m.coverage, m.windowCustomers, m.proactive, m.pruned)
	}
	return m
}
