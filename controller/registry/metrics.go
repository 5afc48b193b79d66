package registry

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	agents        *prometheus.GaugeVec
	skewed        prometheus.Gauge
	heartbeats    *prometheus.CounterVec
	pointsDropped prometheus.Counter
	writeErrors   *prometheus.CounterVec
	siteClaims    prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		agents: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "vantage_controller_agents",
			Help: "Agents the registry knows, by state (online, offline)."}, []string{"state"}),
		skewed: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vantage_controller_agents_clock_skewed",
			Help: "Agents whose clock is off by more than the threshold at their last heartbeat."}),
		heartbeats: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_controller_heartbeats_total",
			Help: "Heartbeats received, by outcome (ok, invalid, out_of_range, refused_too_many_agents)."}, []string{"outcome"}),
		pointsDropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_controller_agent_points_dropped_total",
			Help: "agent points dropped because too many waited for the point queue (database failing)."}),
		writeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_controller_registry_write_errors_total",
			Help: "Failed writes of the agent registry, by sink (database, queue)."}, []string{"sink"}),
		siteClaims: prometheus.NewCounter(prometheus.CounterOpts{Name: "vantage_controller_heartbeat_site_claims_ignored_total",
			Help: "Heartbeats claiming a site other than the inventory site that names their agent (ignored: the inventory's site is used)."}),
	}
	// Both states exist from the start, so a dashboard sees 0, not nothing.
	m.agents.WithLabelValues(string(Online))
	m.agents.WithLabelValues(string(Offline))
	for _, o := range []string{"ok", "invalid", "out_of_range"} {
		m.heartbeats.WithLabelValues(o)
	}
	if reg != nil {
		reg.MustRegister(m.agents, m.skewed, m.heartbeats, m.pointsDropped, m.writeErrors, m.siteClaims)
	}
	return m
}

// updateGauges recounts agents by state.
func (r *Registry) updateGauges() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updateGaugesLocked()
}

func (r *Registry) updateGaugesLocked() {
	var on, off, skewed int
	for _, e := range r.agents {
		if e.State == Online {
			on++
		} else {
			off++
		}
		if e.ClockSkewed {
			skewed++
		}
	}
	r.m.agents.WithLabelValues(string(Online)).Set(float64(on))
	r.m.agents.WithLabelValues(string(Offline)).Set(float64(off))
	r.m.skewed.Set(float64(skewed))
}
