// Package probe defines what every probe type implements: a Prober turns
// (context, target) into samples with timings per phase and an error class.
// Scheduling, jitter, labels, batching and publishing belong to the agent, once.
package probe

import (
	"context"
	"log/slog"
	"time"

	prometheus "github.com/vantage-net/vantage/internal/metrics"
	"gopkg.in/yaml.v3"
)

// Prober runs one round against one target. It must return by the time ctx is
// done (the agent sets the deadline from the probe's timeout) and must be safe
// for concurrent calls with different targets: the agent never runs two rounds
// of the same probe and target at once, but runs many targets in parallel.
type Prober interface {
	Probe(ctx context.Context, target string) []Sample
}

// Starter is implemented by probers whose rounds need no goroutine of their
// own (the shared ping engine times all its rounds in one loop): an agent
// short of CPU then holds a small record per round, not a stack. Start
// begins a round against target, bounded by timeout, and reports whether
// it did; false (say, a host name to resolve first) leaves the round to
// Probe. done gets the round's samples once, from another goroutine or
// from Start itself, and must not block.
type Starter interface {
	Start(target string, timeout time.Duration, done func([]Sample)) bool
}

// Closer is implemented by probers that hold resources (a shared ICMP socket,
// an SNMP session pool) the agent must release on reload or shutdown.
type Closer interface {
	Close() error
}

// Sample is one measured outcome. Most probes return one sample per round; an
// SNMP interface poll returns one per interface. The agent adds the round's
// event time, the probe's labels and the target tag.
type Sample struct {
	// Measurement overrides the probe type's default measurement (e.g. snmp_if
	// versus snmp); empty means the default.
	Measurement string
	// Tags are merged over the configured labels: kind for dial, ifindex and
	// ifname for snmp_if, etc.
	Tags map[string]string
	// Fields follow the measurement's schema in probes/result.
	Fields map[string]float64
	// Time overrides the round's start time when the probe knows better, e.g.
	// a trap's arrival; zero means the round's start.
	Time time.Time
	// Error is the error class when the round failed (see Classify); empty on success.
	Error string
	// Detail is the error text for logs.
	Detail string
}

// Spec is one configured probe as the agent hands it to a probe type's
// constructor. Options is the probe's own `options:` block, decoded by the
// probe package with DecodeOptions so an unknown key names its line.
type Spec struct {
	// Name is the probe's configured name, unique within an agent.
	Name string
	// Type is the registered probe type: ping, dial, http, snmp.
	Type string
	// Interval is the time between rounds per target.
	Interval time.Duration
	// Timeout bounds a round; it is never longer than Interval.
	Timeout time.Duration
	// Options is the type-specific settings block; Kind 0 when absent.
	Options yaml.Node
	// File is the config file name, for error messages.
	File string
	// Logger is the agent's logger, already scoped to this probe.
	Logger *slog.Logger
	// Registerer is where a probe type may register its own metrics; nil
	// means do not register.
	Registerer prometheus.Registerer
	// Source is the uplink the probe's traffic must leave by (the agent's
	// networks); the zero Source means the host's routing decides.
	Source Source
}

// Factory builds a Prober from a Spec, or returns an error naming the option
// and its line.
type Factory func(Spec) (Prober, error)

// Descriptor describes a probe type for the registry in package probes.
type Descriptor struct {
	// Measurement is the default measurement of the type's samples.
	Measurement string
	// New builds a Prober.
	New Factory
	// ValidateTarget checks one configured target string ("" if acceptable),
	// so config loading names a malformed target before any probe runs.
	ValidateTarget func(target string) error
}

// Timing converts a duration to the milliseconds that every *_ms field uses.
func Timing(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
