package snmp

import (
	"errors"

	prometheus "github.com/vantage-net/vantage/internal/metrics"
)

// metrics are the poller's own health numbers. Every series carries the probe
// name as a constant label, so several snmp probes in one agent register side
// by side.
type metrics struct {
	polls           *prometheus.CounterVec
	duration        prometheus.Histogram
	varbinds        prometheus.Counter
	inFlight        prometheus.Gauge
	ifindexChanges  prometheus.Counter
	lineProblems    prometheus.Counter
	unseenFlaps     prometheus.Counter
	reboots         prometheus.Counter
	discontinuities prometheus.Counter
}

func newMetrics(probeName string, reg prometheus.Registerer) *metrics {
	cl := prometheus.Labels{"probe": probeName}
	m := &metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_polls_total", ConstLabels: cl,
			Help: "SNMP device polls by outcome: ok or the error class (timeout, auth, refused, protocol, ...).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vantage_agent_snmp_poll_duration_seconds", ConstLabels: cl,
			Help:    "Time of one device poll (interface tables and scalars), waiting for a slot excluded.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		varbinds: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_varbinds_total", ConstLabels: cl,
			Help: "Variable bindings received from devices.",
		}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vantage_agent_snmp_polls_in_flight", ConstLabels: cl,
			Help: "Device polls running now; at max_parallel, further polls wait.",
		}),
		ifindexChanges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_ifindex_changes_total", ConstLabels: cl,
			Help: "Interfaces (by ifName) found at a new ifIndex, and lines whose interface moved: device renumbering.",
		}),
		lineProblems: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_line_map_problems_total", ConstLabels: cl,
			Help: "Configured line mappings that stopped matching exactly one interface.",
		}),
		unseenFlaps: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_unseen_flaps_total", ConstLabels: cl,
			Help: "Flaps inferred from ifLastChange between two polls that read the same oper status.",
		}),
		reboots: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_reboots_total", ConstLabels: cl,
			Help: "Device restarts seen as sysUpTime going backwards.",
		}),
		discontinuities: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_counter_discontinuities_total", ConstLabels: cl,
			Help: "Interface counter readings left without a rate (reset, implausible wrap, renumbering).",
		}),
	}
	if reg != nil {
		m.polls = register(reg, m.polls)
		m.duration = register(reg, m.duration)
		m.varbinds = register(reg, m.varbinds)
		m.inFlight = register(reg, m.inFlight)
		m.ifindexChanges = register(reg, m.ifindexChanges)
		m.lineProblems = register(reg, m.lineProblems)
		m.unseenFlaps = register(reg, m.unseenFlaps)
		m.reboots = register(reg, m.reboots)
		m.discontinuities = register(reg, m.discontinuities)
	}
	return m
}

// register registers c, or returns the collector already registered under
// the same name and labels: a config reload builds a new prober for the same
// probe before the old one is gone, and both may count into one series.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}
