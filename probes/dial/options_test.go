package dial

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestOptionErrors maps option blocks to the exact messages an operator
// reads: file:line, the option's path, what is wrong.
func TestOptionErrors(t *testing.T) {
	tests := []struct {
		name, options, want string
	}{
		{"no options", "", "test.yaml: options.kind: required: one of tcp, dns, tls"},
		{"bad kind", "kind: udp", `test.yaml:1: options.kind: "udp" is not one of tcp, dns, tls`},
		{"unknown key", "kind: tcp\ncolour: red", "test.yaml:2: options.colour: unknown key"},
		{"wrong type", "kind: tls\ninsecure_skip_verify: sometimes", "test.yaml:2: cannot unmarshal !!str `sometimes` into bool (in options)"},
		{"dns without server", "kind: dns", "test.yaml:1: options.server: required for kind dns (host:port of the DNS server)"},
		{"dns server without port", "kind: dns\nserver: 198.18.0.53", `test.yaml:2: options.server: "198.18.0.53" is not host:port`},
		{"bad record", "kind: dns\nserver: 198.18.0.53:53\nrecord: MX", `test.yaml:3: options.record: "MX" is not A or AAAA`},
		{"bad expect item", "kind: dns\nserver: 198.18.0.53:53\nexpect:\n  - 198.18.1.1\n  - not-an-ip",
			`test.yaml:5: options.expect[1]: "not-an-ip" is not an IP address`},
		{"expect of the other family", "kind: dns\nserver: 198.18.0.53:53\nexpect: ['2001:db8::1']",
			"test.yaml:3: options.expect[0]: 2001:db8::1 can never be in the answer to a A query"},
		{"tls option on tcp", "kind: tcp\nserver_name: x.test", "test.yaml:2: options.server_name: applies to kind tls only, this probe is kind tcp"},
		{"missing ca_file", "kind: tls\nca_file: /nonexistent/ca.pem", "test.yaml:2: options.ca_file: open /nonexistent/ca.pem: no such file or directory"},
		{"ca_file and insecure", "kind: tls\ninsecure_skip_verify: true\nca_file: /x.pem",
			"test.yaml:3: options.ca_file: has no effect with insecure_skip_verify: true; remove one"},
		{"all at once, in file order", "record: MX\nkind: tcp\nexpect: [1.2.3.4]", strings.Join([]string{
			"test.yaml:1: options.record: applies to kind dns only, this probe is kind tcp",
			"test.yaml:3: options.expect: applies to kind dns only, this probe is kind tcp",
		}, "\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(specFor(t, tc.options))
			if err == nil {
				t.Fatal("accepted")
			}
			if err.Error() != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s", err, tc.want)
			}
		})
	}
}

func TestOptionDefaults(t *testing.T) {
	p := newProber(t, "kind: dns\nserver: 127.0.0.1:53")
	if p.cfg.qtype != typeA || p.cfg.expect != nil {
		t.Fatalf("defaults: %+v", p.cfg)
	}
	p = newProber(t, "kind: tls")
	if p.cfg.insecure || p.cfg.roots != nil {
		t.Fatalf("tls must verify against system roots by default: %+v", p.cfg)
	}
}

// FuzzOptions feeds arbitrary YAML to the options decoder: it must answer
// with a config or an error, never panic, and a config it accepts must be
// complete for its kind.
func FuzzOptions(f *testing.F) {
	for _, seed := range []string{
		"kind: tcp",
		"kind: dns\nserver: 127.0.0.1:53\nrecord: AAAA\nexpect: ['::1']",
		"kind: tls\nserver_name: x\ninsecure_skip_verify: true",
		"kind: [tcp]",
		"expect: {a: b}",
		"kind: dns\nserver: ':'",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if strings.Contains(string(data), "ca_file") {
			return // would read arbitrary files, /dev/zero included
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			return
		}
		cfg, err := decodeOptions("fuzz.yaml", doc.Content[0])
		if err != nil {
			return
		}
		switch cfg.kind {
		case KindTCP, KindTLS:
		case KindDNS:
			if cfg.server == "" || (cfg.qtype != typeA && cfg.qtype != typeAAAA) {
				t.Fatalf("incomplete dns config accepted: %+v", cfg)
			}
		default:
			t.Fatalf("kind %q accepted", cfg.kind)
		}
	})
}
