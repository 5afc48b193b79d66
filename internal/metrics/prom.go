//go:build !vantage_lite

package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The agent's metric types: client_golang's.
type (
	Counter                = prometheus.Counter
	CounterVec             = prometheus.CounterVec
	Gauge                  = prometheus.Gauge
	GaugeFunc              = prometheus.GaugeFunc
	Histogram              = prometheus.Histogram
	Collector              = prometheus.Collector
	Registerer             = prometheus.Registerer
	Registry               = prometheus.Registry
	Labels                 = prometheus.Labels
	CounterOpts            = prometheus.CounterOpts
	GaugeOpts              = prometheus.GaugeOpts
	HistogramOpts          = prometheus.HistogramOpts
	AlreadyRegisteredError = prometheus.AlreadyRegisteredError
)

// Constructors: client_golang's.
var (
	NewCounter    = prometheus.NewCounter
	NewCounterVec = prometheus.NewCounterVec
	NewGauge      = prometheus.NewGauge
	NewGaugeFunc  = prometheus.NewGaugeFunc
	NewHistogram  = prometheus.NewHistogram
	NewRegistry   = prometheus.NewRegistry
)

// Handler serves r's metrics.
func Handler(r *Registry) http.Handler {
	return promhttp.HandlerFor(r, promhttp.HandlerOpts{Registry: r})
}

// RuntimeCollectors are client_golang's Go and process collectors.
func RuntimeCollectors() []Collector {
	return []Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}
}
