//go:build !vantage_lite

package serve

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"net/http"
)

// Mux returns a mux with /metrics for reg and /healthz for health. Not in
// -tags vantage_lite builds (the edge agent): it links client_golang.
func Mux(reg *prometheus.Registry, health Health) *http.ServeMux {
	return MuxHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}), health)
}
