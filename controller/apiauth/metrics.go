package apiauth

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	requests *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_controller_api_auth_total",
			Help: "API requests by authentication outcome (ok, missing, invalid, error)."}, []string{"outcome"}),
	}
	for _, o := range []string{"ok", "missing", "invalid", "error"} {
		m.requests.WithLabelValues(o)
	}
	if reg != nil {
		reg.MustRegister(m.requests)
	}
	return m
}
