package influx

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// metrics are the writer's Prometheus series, namespaced
// vantage_controller_influx_*.
type metrics struct {
	errors   *prometheus.CounterVec
	duration prometheus.Histogram
	written  prometheus.Counter
	rejected prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		errors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_controller_influx_write_errors_total",
			Help: "Failed InfluxDB write requests by class: network, timeout, server (5xx), throttled (429), auth (401/403), not_found (404: database or bucket), rejected (400/422: a bad point), too_large (413). All but rejected are retried.",
		}, []string{"class"}),
		duration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "vantage_controller_influx_write_duration_seconds",
			Help:    "Duration of one InfluxDB write request, successful or not.",
			Buckets: prometheus.ExponentialBuckets(0.002, 2, 14), // 2 ms .. 16 s
		}),
		written: f.NewCounter(prometheus.CounterOpts{
			Name: "vantage_controller_influx_points_written_total",
			Help: "Points InfluxDB accepted. Points rewritten while isolating a rejected one count again.",
		}),
		rejected: f.NewCounter(prometheus.CounterOpts{
			Name: "vantage_controller_influx_points_rejected_total",
			Help: "Points InfluxDB refused on their own (field type conflict, outside retention, unparsable); the caller dead-letters them.",
		}),
	}
	// Expose every class from the start so rate() and alerts see zeros.
	for _, c := range []string{classNetwork, classTimeout, classServer, classThrottled, classAuth, classNotFound, classRejected, classTooLarge} {
		m.errors.WithLabelValues(c)
	}
	return m
}
