package http

import (
	"crypto/x509"
	"fmt"
	"regexp"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/pemfile"
	"github.com/vantage-net/vantage/internal/yamlstrict"
	"github.com/vantage-net/vantage/probes/probe"
)

// Options is the `options:` block of an http probe. Everything is optional:
//
//	options:
//	  expect_status: [200, 204]
//	  body_regex: '"status":\s*"up"'
//	  headers: {Accept: application/json}
//	  headers_file: /etc/vantage/portal-headers.yaml   # Authorization: Bearer …
type Options struct {
	// Method is GET (default) or HEAD.
	Method string `yaml:"method"`
	// ExpectStatus lists the accepted status codes; default any 2xx or 3xx.
	// A status outside it is error class "status".
	ExpectStatus []int `yaml:"expect_status"`
	// BodyRegex must match the body's first max_bytes (RE2 syntax, compiled
	// at load); a mismatch is error class "body". Not with HEAD.
	BodyRegex string `yaml:"body_regex"`
	// MaxBytes caps how much of the body is read (default 1 MiB). Reading
	// stops there without failing: the cap protects the edge box's memory
	// and the customer's line, not a verdict.
	MaxBytes int64 `yaml:"max_bytes"`
	// FollowRedirects follows 3xx responses (default true); when false the
	// redirect itself is the response checked against expect_status.
	FollowRedirects *bool `yaml:"follow_redirects"`
	// MaxRedirects is how many redirects are followed before the round fails
	// with class "status" (default 10): a redirect loop is an outage.
	MaxRedirects *int `yaml:"max_redirects"`
	// Headers are sent with every request; a Host entry sets the virtual
	// host. Values may carry tokens: they are never logged and never part of
	// a message.
	Headers map[string]string `yaml:"headers"`
	// HeadersFile is an absolute path on the agent to a YAML mapping of
	// more headers (Authorization: Bearer …), read when the probe is
	// built. Credentials belong there rather than in headers when the
	// probe comes from the controller: a remote config travels through
	// NATS and is stored in its bucket and the agent's cache, the file
	// stays on the box. A header may not be in both.
	HeadersFile string `yaml:"headers_file"`
	// InsecureSkipVerify accepts any certificate (default false).
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// CAFile is a PEM file of CA certificates that replace the system roots,
	// for services signed by a private CA.
	CAFile string `yaml:"ca_file"`
	// Download reads the body up to max_bytes and reports bytes and
	// throughput_kbps (default false: the round ends at the headers unless
	// body_regex needs the body).
	Download bool `yaml:"download"`
}

const (
	defaultMaxBytes     = 1 << 20
	defaultMaxRedirects = 10
)

// config is Options checked, defaulted and compiled.
type config struct {
	method       string
	expect       []int // nil: any 2xx or 3xx
	bodyRegex    *regexp.Regexp
	maxBytes     int64
	follow       bool
	maxRedirects int
	headers      map[string]string
	insecure     bool
	roots        *x509.CertPool // nil: system roots
	download     bool
}

// decodeOptions decodes and checks an options block, reporting every problem
// at once as "file:line: options.key: message".
func decodeOptions(file string, node *yaml.Node) (*config, error) {
	var o Options
	if err := probe.DecodeOptions(file, node, &o); err != nil {
		return nil, err
	}
	c := &checker{file: file, node: node}
	cfg := &config{method: o.Method, expect: o.ExpectStatus, maxBytes: o.MaxBytes, follow: true,
		maxRedirects: defaultMaxRedirects, headers: o.Headers, insecure: o.InsecureSkipVerify, download: o.Download}
	switch o.Method {
	case "":
		cfg.method = "GET"
	case "GET", "HEAD":
	default:
		c.bad("method", "", "%q is not GET or HEAD", o.Method)
	}
	for i, s := range o.ExpectStatus {
		if s < 100 || s > 599 {
			c.badItem("expect_status", i, "%d is not an HTTP status (100..599)", s)
		}
	}
	if o.BodyRegex != "" {
		re, err := regexp.Compile(o.BodyRegex)
		switch {
		case err != nil:
			c.bad("body_regex", "", "%v", err)
		case cfg.method == "HEAD":
			c.bad("body_regex", "", "a HEAD response has no body to match")
		default:
			cfg.bodyRegex = re
		}
	}
	if o.Download && cfg.method == "HEAD" {
		c.bad("download", "", "a HEAD response has no body to download")
	}
	switch {
	case o.MaxBytes < 0:
		c.bad("max_bytes", "", "%d is negative", o.MaxBytes)
	case o.MaxBytes == 0:
		cfg.maxBytes = defaultMaxBytes
	}
	if o.FollowRedirects != nil {
		cfg.follow = *o.FollowRedirects
	}
	if o.MaxRedirects != nil {
		switch {
		case !cfg.follow:
			c.bad("max_redirects", "", "has no effect with follow_redirects: false; remove one")
		case *o.MaxRedirects < 0 || *o.MaxRedirects > 100:
			c.bad("max_redirects", "", "%d is outside 0..100", *o.MaxRedirects)
		default:
			cfg.maxRedirects = *o.MaxRedirects
		}
	}
	names := make([]string, 0, len(o.Headers))
	for k := range o.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		// The value is never quoted: it may be a token.
		if !validHeaderName(k) {
			c.bad("headers", k, "%q is not a valid header name", k)
		} else if !validHeaderValue(o.Headers[k]) {
			c.bad("headers", k, "the value holds characters a header cannot carry (newline or control)")
		}
	}
	if o.HeadersFile != "" {
		fromFile, err := readHeadersFile(o.HeadersFile)
		if err != nil {
			c.bad("headers_file", "", "%v", err)
		} else {
			merged, clash := mergeHeaders(o.Headers, fromFile)
			for _, k := range clash {
				c.bad("headers_file", "", "%s: header %s is also in options.headers; keep one", o.HeadersFile, k)
			}
			cfg.headers = merged
		}
	}
	if o.CAFile != "" {
		if o.InsecureSkipVerify {
			c.bad("ca_file", "", "has no effect with insecure_skip_verify: true; remove one")
		} else if pool, err := pemfile.CertPool(o.CAFile); err != nil {
			c.bad("ca_file", "", "%v", err)
		} else {
			cfg.roots = pool
		}
	}
	if len(c.errs) > 0 {
		return nil, c.sorted()
	}
	return cfg, nil
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

// bad records a problem with options.key, or options.key.sub for a map
// entry (whose own line is named).
func (c *checker) bad(key, sub, format string, args ...any) {
	line := c.line(key, func(v *yaml.Node) *yaml.Node { k, _ := entry(v, sub); return k })
	p := "options." + key
	if sub != "" {
		p += "." + sub
	}
	c.add(line, p, fmt.Sprintf(format, args...))
}

// badItem records a problem with options.key[index].
func (c *checker) badItem(key string, index int, format string, args ...any) {
	line := c.line(key, func(v *yaml.Node) *yaml.Node {
		if v.Kind == yaml.SequenceNode && index < len(v.Content) {
			return v.Content[index]
		}
		return nil
	})
	c.add(line, fmt.Sprintf("options.%s[%d]", key, index), fmt.Sprintf(format, args...))
}

func (c *checker) add(line int, path, msg string) {
	if line > 0 {
		msg = fmt.Sprintf("%s:%d: %s: %s", c.file, line, path, msg)
	} else {
		msg = fmt.Sprintf("%s: %s: %s", c.file, path, msg)
	}
	c.errs = append(c.errs, lineError{line, msg})
}

// line is the line of the node that inner picks in key's value, else of
// key, else of the options block, else 0 when there is no block.
func (c *checker) line(key string, inner func(value *yaml.Node) *yaml.Node) int {
	n := c.node
	if n == nil || n.Kind == 0 {
		return 0
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	k, v := entry(n, key)
	if k == nil {
		return n.Line
	}
	if in := inner(v); in != nil {
		return in.Line
	}
	return k.Line
}

// entry returns the key and value nodes of name in mapping n, or nils.
func entry(n *yaml.Node, name string) (key, value *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode || name == "" {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
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
