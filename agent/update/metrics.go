package update

import prometheus "github.com/vantage-net/vantage/internal/metrics"

type metrics struct {
	refused  *prometheus.CounterVec
	outcomes *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_update_refused_total",
			Help: "Offered releases not started, by reason: no_key, not_writable, signature, checksum, size, url, download, io."}, []string{"reason"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_update_outcomes_total",
			Help: "Updates that ran on trial, by outcome: committed or rolled_back."}, []string{"outcome"}),
	}
	if reg != nil {
		reg.MustRegister(m.refused, m.outcomes)
	}
	return m
}
