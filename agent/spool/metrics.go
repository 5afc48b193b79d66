package spool

import prometheus "github.com/vantage-net/vantage/internal/metrics"

// metrics are the spool's figures. Depth in results is the agent's
// vantage_agent_spool_depth, which covers the in-memory queue too.
type metrics struct {
	dropped *prometheus.CounterVec
	damaged *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, s *Spool) *metrics {
	m := &metrics{
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_spool_dropped_total",
			Help: "Results dropped from the disk spool, oldest first: reason full (max_bytes), age (max_age), corrupt (unreadable record), error (write failed)."},
			[]string{"reason"}),
		damaged: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_spool_damaged_records_total",
			Help: "Damaged spool records: torn (a write cut by a crash, cut off at open), corrupt (CRC mismatch, skipped)."},
			[]string{"kind"}),
	}
	for _, r := range []string{"full", "age", "corrupt", "error"} {
		m.dropped.WithLabelValues(r)
	}
	for _, k := range []string{"torn", "corrupt"} {
		m.damaged.WithLabelValues(k)
	}
	if reg != nil {
		bytes := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vantage_agent_spool_bytes",
			Help: "Bytes of spooled records waiting for JetStream's acknowledgement."},
			func() float64 { return float64(s.Bytes()) })
		reg.MustRegister(m.dropped, m.damaged, bytes)
	}
	return m
}
