package trap

import (
	"errors"

	prometheus "github.com/vantage-net/vantage/internal/metrics"
)

// Reasons a datagram is dropped (the reason label). Each names what an
// operator checks next.
const (
	// DropUnknownSource: the source address is not under traps.devices.
	DropUnknownSource = "unknown_source"
	// DropMalformed: not a decodable SNMP message (or the decoder failed).
	DropMalformed = "malformed"
	// DropCommunity: v1/v2c trap with a community other than the source's.
	DropCommunity = "community"
	// DropV3Auth: SNMPv3 user, digest, decryption or security level refused.
	DropV3Auth = "v3_auth"
	// DropVersion: the source has no credentials for this SNMP version.
	DropVersion = "version"
	// DropNotTrap: an authentic message that is not a trap or inform.
	DropNotTrap = "not_trap"
	// DropUnhandled: an authentic trap of a kind not turned into events
	// (enterprise-specific, authenticationFailure, ...).
	DropUnhandled = "unhandled"
	// DropQueueFull: the hand-off queue was full (a storm, or a stalled
	// publisher); the datagram was read and discarded.
	DropQueueFull = "queue_full"
)

// metrics are the listener's health numbers (vantage_agent_snmp_trap...).
type metrics struct {
	received  prometheus.Counter
	forwarded *prometheus.CounterVec
	dropped   *prometheus.CounterVec
	handoff   prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer, depth func() float64) *metrics {
	m := &metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_traps_received_total",
			Help: "UDP datagrams read on the trap port, before any check.",
		}),
		forwarded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_traps_forwarded_total",
			Help: "Accepted traps handed to the publisher, by event kind.",
		}, []string{"kind"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vantage_agent_snmp_traps_dropped_total",
			Help: "Trap datagrams dropped and never forwarded, by reason (unknown_source, community, v3_auth, malformed, queue_full, ...).",
		}, []string{"reason"}),
		handoff: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "vantage_agent_snmp_trap_handoff_seconds",
			Help:    "Time from reading a trap to handing its event to the publisher.",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5},
		}),
	}
	for _, r := range []string{DropUnknownSource, DropMalformed, DropCommunity, DropV3Auth, DropVersion, DropNotTrap, DropUnhandled, DropQueueFull} {
		m.dropped.WithLabelValues(r) // present at 0, so alerts can use rate()
	}
	if reg != nil {
		m.received = register(reg, m.received)
		m.forwarded = register(reg, m.forwarded)
		m.dropped = register(reg, m.dropped)
		m.handoff = register(reg, m.handoff)
		register(reg, prometheus.Collector(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "vantage_agent_snmp_trap_queue_depth",
			Help: "Traps read but not yet decoded and forwarded.",
		}, depth)))
	}
	return m
}

// register registers c or reuses the collector already registered under its
// name: a restarted listener in the same process counts on.
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
