package dial

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// Measurement is the measurement of every dial sample.
const Measurement = "dial"

// ErrConfig is the error class of a target whose shape does not fit the
// probe's kind (a bare name for a tcp probe): a config mistake, not an outage.
const ErrConfig = "config"

// Descriptor registers the dial probe type (see probes/registry.go).
var Descriptor = probe.Descriptor{Measurement: Measurement, New: New, ValidateTarget: ValidateTarget}

// Prober runs dial rounds of one configured kind. It holds no per-target
// state, so concurrent rounds need no locking.
type Prober struct {
	cfg *config
	// dial opens a connection; a seam for tests, net.Dialer in production.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// lookup resolves the host of a tcp or tls target.
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	// now is the wall clock that cert_days_left counts from.
	now func() time.Time
}

// New builds a Prober from a probe's spec (the registry's Factory).
func New(spec probe.Spec) (probe.Prober, error) {
	cfg, err := decodeOptions(spec.File, &spec.Options)
	if err != nil {
		return nil, err
	}
	return &Prober{
		cfg:  cfg,
		dial: spec.Source.DialContext, // a plain net.Dialer when unbound
		lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		},
		now: time.Now,
	}, nil
}

// Probe runs one round and returns exactly one sample, failed or not.
func (p *Prober) Probe(ctx context.Context, target string) []probe.Sample {
	r := round{fields: map[string]float64{}}
	if err := checkTarget(p.cfg.kind, target); err != nil {
		return []probe.Sample{r.sample(p.cfg.kind, &probe.ClassError{Class: ErrConfig, Err: err})}
	}
	var err error
	switch p.cfg.kind {
	case KindTCP:
		err = p.tcpRound(ctx, target, &r)
	case KindDNS:
		err = p.dnsRound(ctx, target, &r)
	case KindTLS:
		err = p.tlsRound(ctx, target, &r)
	}
	return []probe.Sample{r.sample(p.cfg.kind, err)}
}

// round collects the timings of one round as its phases complete, so a
// failed round still reports the phases that worked.
type round struct {
	fields map[string]float64
}

func (r *round) took(field string, start time.Time) {
	r.fields[field] = probe.Timing(time.Since(start))
}

func (r *round) sample(kind string, err error) probe.Sample {
	s := probe.Sample{Tags: map[string]string{"kind": kind}, Fields: r.fields}
	if err != nil {
		s.Fields["ok"] = 0
		s.Error, s.Detail = probe.Classify(err), err.Error()
		return s
	}
	s.Fields["ok"] = 1
	return s
}

// connect opens a TCP connection to a host:port target, resolving a name
// first (timed as dns_ms) and trying its addresses in order until one
// answers, as net.Dial would, but with connect_ms for the one that did.
func (p *Prober) connect(ctx context.Context, target string, r *round) (net.Conn, error) {
	host, port, err := splitHostPort(target)
	if err != nil {
		return nil, err
	}
	addrs := []string{host}
	if net.ParseIP(host) == nil {
		start := time.Now()
		ips, err := p.lookup(ctx, host)
		if err != nil {
			return nil, err
		}
		r.took("dns_ms", start)
		addrs = addrs[:0]
		for _, ip := range ips {
			addrs = append(addrs, ip.Unmap().String())
		}
	}
	var last error
	for _, a := range addrs {
		start := time.Now()
		conn, err := p.dial(ctx, "tcp", net.JoinHostPort(a, port))
		if err == nil {
			r.took("connect_ms", start)
			return conn, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	if last == nil {
		last = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	return nil, last
}

// tcpRound is a connect and nothing more: the service's port is open.
func (p *Prober) tcpRound(ctx context.Context, target string, r *round) error {
	conn, err := p.connect(ctx, target, r)
	if err != nil {
		return err
	}
	return conn.Close()
}
