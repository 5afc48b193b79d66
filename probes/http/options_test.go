package http

import (
	"os"
	"path/filepath"
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
		{"unknown key", "method: GET\ntimeout: 3s", "test.yaml:2: options.timeout: unknown key"},
		{"wrong type", "max_bytes: lots", "test.yaml:1: cannot unmarshal !!str `lots` into int64 (in options)"},
		{"bad method", "method: POST", `test.yaml:1: options.method: "POST" is not GET or HEAD`},
		{"bad regex", "body_regex: 'up('", "test.yaml:1: options.body_regex: error parsing regexp: missing closing ): `up(`"},
		{"regex with HEAD", "method: HEAD\nbody_regex: up", "test.yaml:2: options.body_regex: a HEAD response has no body to match"},
		{"download with HEAD", "method: HEAD\ndownload: true", "test.yaml:2: options.download: a HEAD response has no body to download"},
		{"bad status item", "expect_status:\n  - 200\n  - 2000", "test.yaml:3: options.expect_status[1]: 2000 is not an HTTP status (100..599)"},
		{"negative max_bytes", "max_bytes: -1", "test.yaml:1: options.max_bytes: -1 is negative"},
		{"max_redirects without following", "follow_redirects: false\nmax_redirects: 3",
			"test.yaml:2: options.max_redirects: has no effect with follow_redirects: false; remove one"},
		{"max_redirects too high", "max_redirects: 1000", "test.yaml:1: options.max_redirects: 1000 is outside 0..100"},
		{"bad header name", "headers:\n  X-Ok: 1\n  'Bad Name': v", `test.yaml:3: options.headers.Bad Name: "Bad Name" is not a valid header name`},
		{"header value with newline, not quoted", "headers:\n  Authorization: \"Bearer tok\\nen\"",
			"test.yaml:2: options.headers.Authorization: the value holds characters a header cannot carry (newline or control)"},
		{"missing ca_file", "ca_file: /nonexistent/ca.pem", "test.yaml:1: options.ca_file: open /nonexistent/ca.pem: no such file or directory"},
		{"all at once, in file order", "max_bytes: -5\nmethod: PUT", strings.Join([]string{
			"test.yaml:1: options.max_bytes: -5 is negative",
			`test.yaml:2: options.method: "PUT" is not GET or HEAD`,
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
	for _, options := range []string{"", "{}"} {
		c := newProber(t, options).cfg
		if c.method != "GET" || c.expect != nil || c.maxBytes != 1<<20 || !c.follow || c.maxRedirects != 10 ||
			c.insecure || c.roots != nil || c.download || c.bodyRegex != nil {
			t.Fatalf("%q: defaults %+v", options, c)
		}
	}
	if c := newProber(t, "max_redirects: 0").cfg; c.maxRedirects != 0 || !c.follow {
		t.Fatalf("max_redirects: 0 must be kept: %+v", c)
	}
}

// FuzzOptions feeds arbitrary YAML to the options decoder: it must answer
// with a config or an error, never panic, and a config it accepts must be
// usable by a round.
func FuzzOptions(f *testing.F) {
	for _, seed := range []string{
		"method: HEAD",
		"expect_status: [200, 204]\nbody_regex: 'a+b'\nmax_bytes: 10",
		"follow_redirects: false\nheaders: {X-A: b}",
		"max_redirects: 3\ndownload: true",
		"headers: [a]",
		"body_regex: '('",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if strings.Contains(string(data), "ca_file") || strings.Contains(string(data), "headers_file") {
			return // would read arbitrary files, /dev/zero included
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			return
		}
		c, err := decodeOptions("fuzz.yaml", doc.Content[0])
		if err != nil {
			return
		}
		if (c.method != "GET" && c.method != "HEAD") || c.maxBytes <= 0 || c.maxRedirects < 0 {
			t.Fatalf("unusable config accepted: %+v", c)
		}
	})
}

// TestHeadersFile: headers_file is read on the agent, and every mistake in
// it is named with the file, line and header, never with a value.
func TestHeadersFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", "Authorization: Bearer hf-secret-1\nX-Tenant: t1\n")
	c := newProber(t, "headers: {Accept: text/plain}\nheaders_file: "+good).cfg
	if c.headers["Authorization"] != "Bearer hf-secret-1" || c.headers["X-Tenant"] != "t1" || c.headers["Accept"] != "text/plain" {
		t.Errorf("merged headers: %v", c.headers)
	}
	badName := write("badname.yaml", "X-Ok: 1\n'Bad Name': hf-secret-2\n")
	badValue := write("badvalue.yaml", "Authorization: \"Bearer hf-sec\\nret-3\"\n")
	list := write("list.yaml", "- Authorization\n")
	big := write("big.yaml", "X-Big: "+strings.Repeat("a", maxHeadersFile)+"\n")
	tests := []struct{ name, options, want string }{
		{"relative path", "headers_file: secrets/h.yaml",
			`test.yaml:1: options.headers_file: "secrets/h.yaml" must be an absolute path (a remote config is applied whatever the agent's working directory)`},
		{"missing file", "headers_file: " + dir + "/none.yaml", "test.yaml:1: options.headers_file: open " + dir + "/none.yaml: no such file or directory"},
		{"bad header name", "headers_file: " + badName, `test.yaml:1: options.headers_file: ` + badName + `:2: "Bad Name" is not a valid header name`},
		{"bad value", "headers_file: " + badValue,
			"test.yaml:1: options.headers_file: " + badValue + ":1: Authorization: the value holds characters a header cannot carry (newline or control)"},
		{"not a mapping", "headers_file: " + list, "test.yaml:1: options.headers_file: " + list + ":1: want a mapping of header names to values"},
		{"too big", "headers_file: " + big, "test.yaml:1: options.headers_file: " + big + ": larger than 65536 bytes; it should hold a few headers"},
		{"in both", "headers: {authorization: x}\nheaders_file: " + good,
			"test.yaml:2: options.headers_file: " + good + ": header Authorization is also in options.headers; keep one"},
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
			if strings.Contains(err.Error(), "hf-sec") {
				t.Errorf("message shows a header value: %v", err)
			}
		})
	}
}
