package dial

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/pemfile"
	"github.com/vantage-net/vantage/internal/yamlstrict"
	"github.com/vantage-net/vantage/probes/probe"
)

// Options is the `options:` block of a dial probe. One probe has one kind;
// configure a second probe for a second kind:
//
//	options:
//	  kind: dns
//	  server: 198.18.0.53:53
//	  record: A
//	  expect: [198.18.1.10]
type Options struct {
	// Kind is what a round does: tcp, dns or tls. Required.
	Kind string `yaml:"kind"`

	// Server is the DNS server to ask, host:port (kind dns, required). A
	// fixed server, not the system resolver, so a probe measures the
	// resolver the customer is given and its cache cannot hide an outage.
	Server string `yaml:"server"`
	// Record is the record type asked for: A or AAAA (kind dns, default A).
	Record string `yaml:"record"`
	// Expect lists IP addresses of which the answer must contain at least
	// one (kind dns, optional). A reply without any is error class "answer":
	// a hijacked or stale record looks healthy to a probe that only checks
	// that some answer came back.
	Expect []string `yaml:"expect"`

	// ServerName is the name sent as SNI and checked against the
	// certificate (kind tls, default the target's host).
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify accepts any certificate (kind tls, default false).
	// cert_days_left is still reported. Use it for devices with self-signed
	// certificates whose CA cannot be given as ca_file.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// CAFile is a PEM file of CA certificates that replace the system roots
	// (kind tls, optional), for services signed by a private CA.
	CAFile string `yaml:"ca_file"`
}

// Kinds of dial probe.
const (
	KindTCP = "tcp"
	KindDNS = "dns"
	KindTLS = "tls"
)

// config is Options checked and turned into what a round needs.
type config struct {
	kind       string
	server     string
	qtype      uint16 // typeA or typeAAAA
	expect     []netip.Addr
	serverName string
	insecure   bool
	roots      *x509.CertPool // nil: system roots
}

// decodeOptions decodes and checks an options block, reporting every problem
// at once as "file:line: options.key: message".
func decodeOptions(file string, node *yaml.Node) (*config, error) {
	var o Options
	if err := probe.DecodeOptions(file, node, &o); err != nil {
		return nil, err
	}
	c := &checker{file: file, node: node}
	cfg := &config{kind: o.Kind, server: o.Server, serverName: o.ServerName, insecure: o.InsecureSkipVerify}
	switch o.Kind {
	case KindTCP, KindDNS, KindTLS:
	case "":
		c.bad("kind", -1, "required: one of tcp, dns, tls")
	default:
		c.bad("kind", -1, "%q is not one of tcp, dns, tls", o.Kind)
	}
	// Options of another kind are refused rather than ignored: a tls probe
	// with `expect:` was meant to be a dns probe, and silence would hide it.
	onlyFor := func(key, kind string, set bool) {
		if set && o.Kind != kind && o.Kind != "" {
			c.bad(key, -1, "applies to kind %s only, this probe is kind %s", kind, o.Kind)
		}
	}
	onlyFor("server", KindDNS, o.Server != "")
	onlyFor("record", KindDNS, o.Record != "")
	onlyFor("expect", KindDNS, o.Expect != nil)
	onlyFor("server_name", KindTLS, o.ServerName != "")
	onlyFor("insecure_skip_verify", KindTLS, o.InsecureSkipVerify)
	onlyFor("ca_file", KindTLS, o.CAFile != "")

	if o.Kind == KindDNS {
		checkDNS(c, o, cfg)
	}
	if o.Kind == KindTLS && o.CAFile != "" {
		if o.InsecureSkipVerify {
			c.bad("ca_file", -1, "has no effect with insecure_skip_verify: true; remove one")
		} else if pool, err := pemfile.CertPool(o.CAFile); err != nil {
			c.bad("ca_file", -1, "%v", err)
		} else {
			cfg.roots = pool
		}
	}
	if len(c.errs) > 0 {
		return nil, c.sorted()
	}
	return cfg, nil
}

func checkDNS(c *checker, o Options, cfg *config) {
	if o.Server == "" {
		c.bad("server", -1, "required for kind dns (host:port of the DNS server)")
	} else if host, port, err := net.SplitHostPort(o.Server); err != nil || host == "" || !validPort(port) {
		c.bad("server", -1, "%q is not host:port", o.Server)
	}
	switch o.Record {
	case "", "A":
		cfg.qtype = typeA
	case "AAAA":
		cfg.qtype = typeAAAA
	default:
		c.bad("record", -1, "%q is not A or AAAA", o.Record)
	}
	for i, s := range o.Expect {
		a, err := netip.ParseAddr(s)
		switch {
		case err != nil:
			c.bad("expect", i, "%q is not an IP address", s)
		case cfg.qtype == typeA && !a.Unmap().Is4(), cfg.qtype == typeAAAA && !a.Is6():
			c.bad("expect", i, "%s can never be in the answer to a %s query", s, recordName(cfg.qtype))
		default:
			cfg.expect = append(cfg.expect, a.Unmap())
		}
	}
}

func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// checker collects option errors with the line of the offending key.
type checker struct {
	file string
	node *yaml.Node
	errs []lineError
}

type lineError struct {
	line int
	msg  string
}

// bad records a problem with options.key, or options.key[index] when
// index >= 0 (a list item, whose own line is named).
func (c *checker) bad(key string, index int, format string, args ...any) {
	p := "options." + key
	if index >= 0 {
		p = fmt.Sprintf("%s[%d]", p, index)
	}
	msg := p + ": " + fmt.Sprintf(format, args...)
	line := lineOf(c.node, key, index)
	if line > 0 {
		msg = fmt.Sprintf("%s:%d: %s", c.file, line, msg)
	} else {
		msg = c.file + ": " + msg
	}
	c.errs = append(c.errs, lineError{line, msg})
}

// sorted lists the problems in file order, so the reader fixes top-down.
func (c *checker) sorted() yamlstrict.Errors {
	sort.SliceStable(c.errs, func(i, j int) bool { return c.errs[i].line < c.errs[j].line })
	out := make(yamlstrict.Errors, len(c.errs))
	for i, e := range c.errs {
		out[i] = e.msg
	}
	return out
}

// lineOf is the line of key (or of its index-th item) in the options
// mapping, else the mapping's own line, else 0 when there is no block.
func lineOf(n *yaml.Node, key string, index int) int {
	if n == nil || n.Kind == 0 {
		return 0
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return n.Line
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != key {
			continue
		}
		v := n.Content[i+1]
		if index >= 0 && v.Kind == yaml.SequenceNode && index < len(v.Content) {
			return v.Content[index].Line
		}
		return n.Content[i].Line
	}
	return n.Line
}
