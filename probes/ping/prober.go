package ping

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// Descriptor registers the ping probe type (see probes/registry.go).
var Descriptor = probe.Descriptor{Measurement: "ping", New: New, ValidateTarget: ValidateTarget}

// Prober pings one target per round with the engine its options chose.
type Prober struct {
	opts Options
	// engine is the shared IPv4 engine; nil when every round uses pro-bing.
	engine     *Engine
	privileged bool
	// source binds the round to an uplink; a bound prober owns its engine.
	source probe.Source
	owned  bool
}

// New builds a ping prober. It opens (or joins) the shared ICMP socket now,
// so an agent without permission to ping refuses to start instead of
// reporting every target as lost.
func New(spec probe.Spec) (probe.Prober, error) {
	o, err := parseOptions(spec)
	if err != nil {
		return nil, err
	}
	p := &Prober{opts: o, source: spec.Source}
	if p.privileged, err = privileged(); err != nil {
		return nil, fmt.Errorf("probe %q: %w", spec.Name, err)
	}
	if o.Engine != EngineProBing && spec.Source.Bound() {
		if p.engine, err = newBoundEngine(spec.Source); err != nil {
			return nil, fmt.Errorf("probe %q: network %s: %w", spec.Name, spec.Source.Network, err)
		}
		p.owned = true
	} else if o.Engine != EngineProBing {
		if p.engine, err = acquireEngine(spec.Registerer); err != nil {
			return nil, fmt.Errorf("probe %q: %w", spec.Name, err)
		}
	}
	return p, nil
}

// Probe runs one round against target (an IP address or a host name).
func (p *Prober) Probe(ctx context.Context, target string) []probe.Sample {
	dst, err := resolve(ctx, target)
	if err != nil {
		return []probe.Sample{{Error: probe.Classify(err), Detail: err.Error()}}
	}
	var st roundStats
	if p.engine != nil && dst.Is4() {
		st = p.engine.Ping(ctx, dst, p.opts.Count, p.opts.PacketInterval, p.opts.Size)
	} else {
		st = proBingRound(ctx, dst, p.opts, p.privileged, p.source)
	}
	return []probe.Sample{st.sample()}
}

// Start begins a round without a goroutine of its own (probe.Starter) when
// the shared engine can run it: an IPv4 address. A host name (resolved
// every round) or an IPv6 target is left to Probe.
func (p *Prober) Start(target string, timeout time.Duration, done func([]probe.Sample)) bool {
	dst, err := netip.ParseAddr(target)
	if dst = dst.Unmap(); err != nil || p.engine == nil || !dst.Is4() {
		return false
	}
	p.engine.Start(dst, p.opts.Count, p.opts.PacketInterval, timeout, p.opts.Size, func(st roundStats) {
		done([]probe.Sample{st.sample()})
	})
	return true
}

// Close releases the prober's share of the engine.
func (p *Prober) Close() error {
	if p.engine == nil {
		return nil
	}
	e := p.engine
	p.engine = nil
	if p.owned {
		return e.Close()
	}
	return releaseEngine()
}

// resolve turns a target into one address, preferring IPv4 for names (the
// shared engine's family). Names are resolved every round: a target that
// moves is followed.
func resolve(ctx context.Context, target string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(target); err == nil {
		return a.Unmap(), nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", target)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap(), nil
		}
	}
	if len(addrs) == 0 {
		return netip.Addr{}, &net.DNSError{Err: "no addresses", Name: target, IsNotFound: true}
	}
	return addrs[0], nil
}

// ValidateTarget accepts an IP address or a syntactically valid host name.
func ValidateTarget(target string) error {
	if _, err := netip.ParseAddr(target); err == nil {
		return nil
	}
	if !validHostname(target) {
		return fmt.Errorf("%q is neither an IP address nor a host name", target)
	}
	return nil
}

func validHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			ok := c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !ok {
				return false
			}
		}
	}
	return true
}
