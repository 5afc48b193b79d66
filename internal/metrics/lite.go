//go:build vantage_lite

package metrics

import (
	"net/http"

	"github.com/vantage-net/vantage/internal/metrics/lite"
)

// The agent's metric types: internal/metrics/lite's.
type (
	Counter                = lite.Counter
	CounterVec             = lite.CounterVec
	Gauge                  = lite.Gauge
	GaugeFunc              = lite.GaugeFunc
	Histogram              = lite.Histogram
	Collector              = lite.Collector
	Registerer             = lite.Registerer
	Registry               = lite.Registry
	Labels                 = lite.Labels
	CounterOpts            = lite.CounterOpts
	GaugeOpts              = lite.GaugeOpts
	HistogramOpts          = lite.HistogramOpts
	AlreadyRegisteredError = lite.AlreadyRegisteredError
)

// Constructors: internal/metrics/lite's.
var (
	NewCounter    = lite.NewCounter
	NewCounterVec = lite.NewCounterVec
	NewGauge      = lite.NewGauge
	NewGaugeFunc  = lite.NewGaugeFunc
	NewHistogram  = lite.NewHistogram
	NewRegistry   = lite.NewRegistry
)

// Handler serves r's metrics in the text format.
func Handler(r *Registry) http.Handler { return lite.Handler(r) }

// RuntimeCollectors are lite's Go and process figures.
func RuntimeCollectors() []Collector { return lite.RuntimeCollectors() }
