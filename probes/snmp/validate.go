package snmp

import (
	"fmt"
	"math"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/yamlstrict"
	"github.com/vantage-net/vantage/probes/probe"
)

// DecodeOptions decodes and validates an snmp probe's options block. Every
// problem is reported at once, each as "file:line: options.path: message".
// Messages never quote a credential.
func DecodeOptions(file string, node *yaml.Node) (*Options, error) {
	var o Options
	if err := probe.DecodeOptions(file, node, &o); err != nil {
		return nil, err
	}
	c := &checker{file: file, root: node}
	if o.MaxParallel < 0 || o.MaxParallel > 10000 {
		c.bad(path{"max_parallel"}, "%d is outside 1..10000", o.MaxParallel)
	}
	c.device(path{}, o.Device)
	if len(o.Devices) == 0 {
		c.complete(path{}, o.Device)
	}
	targets := make([]string, 0, len(o.Devices))
	for target := range o.Devices {
		targets = append(targets, target)
	}
	sort.Strings(targets)
	for _, target := range targets {
		d := o.Devices[target]
		p := path{"devices", target}
		if err := ValidateTarget(target); err != nil {
			c.bad(p, "%v", err)
		}
		c.device(p, d)
		c.complete(p, o.Device.merge(d))
	}
	if len(c.errs) > 0 {
		return nil, c.sorted()
	}
	if o.MaxParallel == 0 {
		o.MaxParallel = defaultMaxParallel
	}
	return &o, nil
}

// ValidateTarget checks a device address: host or host:port, port 1..65535.
func ValidateTarget(target string) error {
	_, _, err := splitTarget(target)
	return err
}

// splitTarget returns host and port of a target (default port 161).
func splitTarget(target string) (string, uint16, error) {
	host, port := target, 161
	if h, p, err := net.SplitHostPort(target); err == nil {
		n, perr := strconv.Atoi(p)
		if perr != nil || n < 1 || n > 65535 {
			return "", 0, fmt.Errorf("%q: port must be 1..65535", target)
		}
		host, port = h, n
	} else if strings.Count(target, ":") == 1 {
		return "", 0, fmt.Errorf("%q is not host or host:port", target)
	}
	if host == "" || strings.ContainsAny(host, " /\t\n") {
		return "", 0, fmt.Errorf("%q is not host or host:port", target)
	}
	return host, uint16(port), nil
}

// path names a node below options: string keys and int sequence indexes.
type path []any

func (p path) String() string {
	var b strings.Builder
	b.WriteString("options")
	for _, e := range p {
		switch v := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", v)
		case string:
			if strings.ContainsAny(v, ".:[]") {
				fmt.Fprintf(&b, "[%q]", v)
			} else {
				b.WriteString("." + v)
			}
		}
	}
	return b.String()
}

type checker struct {
	file string
	root *yaml.Node
	// prefix replaces "options" at the front of paths in messages, for
	// blocks in the probe's format that stand elsewhere (the trap listener).
	prefix string
	errs   []lineError
}

type lineError struct {
	line int
	msg  string
}

func (c *checker) bad(p path, format string, args ...any) {
	line := lineOf(c.root, p)
	name := p.String()
	if c.prefix != "" {
		name = c.prefix + strings.TrimPrefix(name, "options")
	}
	c.errs = append(c.errs, lineError{line, fmt.Sprintf("%s:%d: %s: %s", c.file, line, name, fmt.Sprintf(format, args...))})
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

// lineOf finds the line of the deepest node of p that exists.
func lineOf(n *yaml.Node, p path) int {
	if n == nil {
		return 0
	}
	line := n.Line
	for _, e := range p {
		if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
			n = n.Content[0]
		}
		var next *yaml.Node
		switch v := e.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == v {
						line, next = n.Content[i].Line, n.Content[i+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && v < len(n.Content) {
				next = n.Content[v]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

func with(p path, e ...any) path { return append(append(path{}, p...), e...) }

// device checks the fields a Device sets, wherever it stands.
func (c *checker) device(p path, d Device) {
	if d.Version != "" {
		if _, ok := snmpVersion(d.Version); !ok {
			c.bad(with(p, "version"), "%q is not one of 1, 2c, 3", d.Version)
		}
	}
	if d.RequestTimeout != 0 && (d.RequestTimeout < 10*time.Millisecond || d.RequestTimeout > time.Minute) {
		c.bad(with(p, "request_timeout"), "%s is outside 10ms..1m", d.RequestTimeout)
	}
	if d.Retries != nil && (*d.Retries < 0 || *d.Retries > 10) {
		c.bad(with(p, "retries"), "%d is outside 0..10", *d.Retries)
	}
	if d.MaxRepetitions < 0 || d.MaxRepetitions > 100 {
		c.bad(with(p, "max_repetitions"), "%d is outside 1..100", d.MaxRepetitions)
	}
	if d.V3 != nil {
		c.v3(with(p, "v3"), d.V3)
	}
	c.interfaces(with(p, "interfaces"), d.Interfaces)
	c.scalars(with(p, "scalars"), d.Scalars)
}

// complete checks that a device's effective settings can reach it.
func (c *checker) complete(p path, d Device) {
	switch d.Version {
	case "", "1", "2c":
		if d.Community == "" {
			c.bad(with(p, "community"), "is required for version %s", orDefault(d.Version, defaultVersion))
		}
		if d.V3 != nil {
			c.bad(with(p, "v3"), "is only used with version 3")
		}
	case "3":
		if d.V3 == nil {
			c.bad(with(p, "v3"), "is required for version 3 (user, level, protocols, passwords)")
		}
		if d.Community != "" {
			c.bad(with(p, "community"), "is not used with version 3")
		}
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (c *checker) v3(p path, v *V3) {
	if v.User == "" {
		c.bad(with(p, "user"), "is required")
	}
	lvl := level(v.Level)
	if lvl == "" {
		c.bad(with(p, "level"), "%q is not one of noAuthNoPriv, authNoPriv, authPriv", v.Level)
		return
	}
	wantAuth, wantPriv := lvl != LevelNoAuthNoPriv, lvl == LevelAuthPriv
	if wantAuth {
		if _, ok := authProtocols[strings.ToUpper(v.AuthProtocol)]; !ok {
			c.bad(with(p, "auth_protocol"), "%q is not one of MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512 (needed for %s)", v.AuthProtocol, lvl)
		}
		if len(v.AuthPassword) < 8 {
			c.bad(with(p, "auth_password"), "must be at least 8 characters (RFC 3414) for %s", lvl)
		}
	} else if v.AuthProtocol != "" || v.AuthPassword != "" {
		c.bad(with(p, "level"), "is %s but auth_protocol/auth_password are set: say authNoPriv or authPriv", lvl)
	}
	if wantPriv {
		if _, ok := privProtocols[strings.ToUpper(v.PrivProtocol)]; !ok {
			c.bad(with(p, "priv_protocol"), "%q is not one of DES, AES, AES-192, AES-256, AES-192C, AES-256C (needed for authPriv)", v.PrivProtocol)
		}
		if len(v.PrivPassword) < 8 {
			c.bad(with(p, "priv_password"), "must be at least 8 characters (RFC 3414) for authPriv")
		}
	} else if v.PrivProtocol != "" || v.PrivPassword != "" {
		c.bad(with(p, "level"), "is %s but priv_protocol/priv_password are set: say authPriv", lvl)
	}
}

func (c *checker) interfaces(p path, list []InterfaceLine) {
	seen := map[string]int{}
	for i, e := range list {
		ep := with(p, i)
		n := 0
		var key string
		if e.Name != "" {
			n, key = n+1, "name "+e.Name
		}
		if e.Alias != "" {
			n, key = n+1, "alias "+e.Alias
		}
		if e.Index != 0 {
			n, key = n+1, fmt.Sprintf("index %d", e.Index)
		}
		if e.Index < 0 {
			c.bad(with(ep, "index"), "%d is not a valid ifIndex (1 or more)", e.Index)
		}
		if n != 1 {
			c.bad(ep, "give exactly one of name, alias, index (found %d)", n)
		} else if prev, dup := seen[key]; dup {
			c.bad(ep, "%s is already mapped by interfaces[%d]", key, prev)
		} else {
			seen[key] = i
		}
		if !tagValue(e.Line) {
			c.bad(with(ep, "line"), "%q must be a non-empty printable circuit id of at most 256 bytes", e.Line)
		}
	}
}

func (c *checker) scalars(p path, list []Scalar) {
	seen := map[string]int{}
	for i, s := range list {
		sp := with(p, i)
		if !metricName(s.Name) {
			c.bad(with(sp, "name"), "%q must be letters, digits, '_' or '-' (it becomes the metric tag)", s.Name)
		} else if prev, dup := seen[s.Name]; dup {
			c.bad(with(sp, "name"), "%q is already scalars[%d]", s.Name, prev)
		} else {
			seen[s.Name] = i
		}
		if _, ok := parseOID(s.OID); !ok {
			c.bad(with(sp, "oid"), "%q is not a numeric OID such as 1.3.6.1.4.1.99999.1.0", s.OID)
		}
		switch s.Type {
		case "", "gauge", "counter":
		default:
			c.bad(with(sp, "type"), "%q is not gauge or counter", s.Type)
		}
		if math.IsNaN(s.Scale) || math.IsInf(s.Scale, 0) {
			c.bad(with(sp, "scale"), "must be a finite number")
		}
	}
}

func tagValue(s string) bool {
	if s == "" || len(s) > 256 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func metricName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
