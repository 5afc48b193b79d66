package http

import (
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

const bigSize = 3 << 20

// service is the loopback web service the tests probe. It remembers the
// headers of the last request to /headers.
type service struct {
	mu      sync.Mutex
	headers http.Header
	host    string
}

func (s *service) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "service status: up\n") })
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(bigSize))
		chunk := make([]byte, 64<<10)
		for range bigSize / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/headers", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.headers, s.host = r.Header.Clone(), r.Host
		s.mu.Unlock()
	})
	// A black hole: the request is taken and never answered.
	mux.HandleFunc("/hang", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	// Headers arrive, then the body stalls.
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "first bytes")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	return mux
}

func TestHTTP(t *testing.T) {
	svc := &service{}
	srv := httptest.NewServer(svc.handler())
	t.Cleanup(srv.Close)
	u := srv.URL

	tests := []struct {
		name, options, path, class string
		positive                   []string
		status                     float64
	}{
		{"ok", "", "/ok", "", []string{"connect_ms", "ttfb_ms", "total_ms"}, 200},
		{"HEAD", "method: HEAD", "/ok", "", []string{"connect_ms", "ttfb_ms"}, 200},
		{"204 expected", "expect_status: [200, 204]", "/nocontent", "", nil, 204},
		{"404 not expected", "", "/missing", probe.ErrStatus, []string{"ttfb_ms"}, 404},
		{"404 expected", "expect_status: [404]", "/missing", "", nil, 404},
		{"body matches", `body_regex: 'status:\s+up'`, "/ok", "", []string{"bytes"}, 200},
		{"body does not match", `body_regex: 'status:\s+down'`, "/ok", probe.ErrBody, []string{"bytes"}, 200},
		{"status reported before body", "body_regex: never", "/missing", probe.ErrStatus, []string{"bytes", "total_ms"}, 404},
		{"redirect followed", "", "/redirect", "", nil, 200},
		{"redirect not followed", "follow_redirects: false", "/redirect", "", nil, 302},
		{"redirect not followed, 200 wanted", "follow_redirects: false\nexpect_status: [200]", "/redirect", probe.ErrStatus, nil, 302},
		{"redirect loop", "", "/loop", probe.ErrStatus, nil, 302},
		{"redirect loop, max 2", "max_redirects: 2", "/loop", probe.ErrStatus, nil, 302},
		{"download capped by default", "download: true", "/big", "", []string{"throughput_kbps"}, 200},
		{"download whole", "download: true\nmax_bytes: 4194304", "/big", "", []string{"throughput_kbps"}, 200},
		{"download capped", "download: true\nmax_bytes: 1000", "/big", "", nil, 200},
		{"handler never answers", "", "/hang", probe.ErrTimeout, []string{"connect_ms"}, 0},
		{"body stalls", "download: true", "/stall", probe.ErrTimeout, []string{"ttfb_ms"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timeout := 3 * time.Second
			if tc.class == probe.ErrTimeout {
				timeout = 200 * time.Millisecond
			}
			s := probeOnce(t, newProber(t, tc.options), u+tc.path, timeout)
			check(t, s, tc.class, tc.positive...)
			if s.Fields["status"] != tc.status {
				t.Errorf("status = %v, want %v", s.Fields["status"], tc.status)
			}
			if _, ok := s.Fields["dns_ms"]; ok {
				t.Error("dns_ms reported for an IP literal URL")
			}
			if _, ok := s.Fields["tls_ms"]; ok {
				t.Error("tls_ms reported for plain http")
			}
		})
	}

	t.Run("bytes", func(t *testing.T) {
		for opts, want := range map[string]float64{
			"download: true":                     1 << 20,
			"download: true\nmax_bytes: 4194304": bigSize,
			"download: true\nmax_bytes: 1000":    1000,
			"body_regex: x\nmax_bytes: 10":       10,
		} {
			s := probeOnce(t, newProber(t, opts), u+"/big", 2*time.Second)
			if s.Fields["bytes"] != want {
				t.Errorf("%q: bytes = %v, want %v", opts, s.Fields["bytes"], want)
			}
		}
		s := probeOnce(t, newProber(t, ""), u+"/big", 2*time.Second)
		if _, ok := s.Fields["bytes"]; ok {
			t.Error("bytes reported although the body was not read")
		}
	})

	t.Run("redirects counted", func(t *testing.T) {
		s := probeOnce(t, newProber(t, "max_redirects: 2"), u+"/loop", 3*time.Second)
		if !strings.Contains(s.Detail, "stopped after 2 redirects") {
			t.Errorf("detail %q", s.Detail)
		}
	})

	t.Run("headers sent, never shown", func(t *testing.T) {
		p := newProber(t, "headers: {X-Token: secret-token, Host: svc.example}\nexpect_status: [201]")
		s := probeOnce(t, p, u+"/headers", 3*time.Second)
		check(t, s, probe.ErrStatus)
		svc.mu.Lock()
		defer svc.mu.Unlock()
		if svc.headers.Get("X-Token") != "secret-token" || svc.host != "svc.example" || svc.headers.Get("User-Agent") != userAgent {
			t.Errorf("server saw host %q headers %v", svc.host, svc.headers)
		}
		if strings.Contains(s.Detail, "secret-token") {
			t.Errorf("detail shows a header value: %q", s.Detail)
		}
	})

	t.Run("headers from headers_file sent, never shown", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "portal-headers.yaml")
		if err := os.WriteFile(file, []byte("Authorization: Bearer file-secret-77\nX-Tenant: t1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		p := newProber(t, "headers: {Host: svc.example}\nheaders_file: "+file+"\nexpect_status: [201]")
		s := probeOnce(t, p, u+"/headers", 3*time.Second)
		check(t, s, probe.ErrStatus)
		svc.mu.Lock()
		defer svc.mu.Unlock()
		if svc.headers.Get("Authorization") != "Bearer file-secret-77" || svc.headers.Get("X-Tenant") != "t1" || svc.host != "svc.example" {
			t.Errorf("server saw host %q headers %v", svc.host, svc.headers)
		}
		if strings.Contains(s.Detail, "file-secret-77") {
			t.Errorf("detail shows a header value: %q", s.Detail)
		}
	})

	t.Run("refused", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		check(t, probeOnce(t, newProber(t, ""), "http://"+addr+"/", 3*time.Second), probe.ErrRefused)
	})

	t.Run("not a URL", func(t *testing.T) {
		check(t, probeOnce(t, newProber(t, ""), "ftp://127.0.0.1/", 3*time.Second), ErrConfig)
	})
}

func TestHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer((&service{}).handler())
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, options, class string }{
		{"unknown CA refused by default", "", probe.ErrTLS},
		{"ca_file", "ca_file: " + caFile, ""},
		{"insecure_skip_verify", "insecure_skip_verify: true", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := probeOnce(t, newProber(t, tc.options), srv.URL+"/ok", 3*time.Second)
			if tc.class != "" {
				check(t, s, tc.class, "connect_ms")
				return
			}
			check(t, s, "", "connect_ms", "tls_ms", "ttfb_ms", "total_ms")
		})
	}
	t.Run("fresh connection every round", func(t *testing.T) {
		// A pooled connection would show no connect_ms or tls_ms in the
		// later rounds.
		p := newProber(t, "ca_file: "+caFile)
		for range 3 {
			check(t, probeOnce(t, p, srv.URL+"/ok", 3*time.Second), "", "connect_ms", "tls_ms")
		}
	})
}

func TestValidateTarget(t *testing.T) {
	for target, ok := range map[string]bool{
		"https://198.18.0.1/health":      true,
		"http://portal.example.net:8080": true,
		"http://[2001:db8::1]/":          true,
		"":                               false,
		"portal.example.net":             false,
		"ftp://198.18.0.1/":              false,
		"http://":                        false,
		"http:///path":                   false,
		"http://user:pw@198.18.0.1/":     false,
		"http://198.18.0.1:0/":           false,
		"http://198.18.0.1:99999/":       false,
		"http://198.18.0.1/a b":          false,
		"http://[::1/":                   false,
	} {
		if err := ValidateTarget(target); (err == nil) != ok {
			t.Errorf("ValidateTarget(%q) = %v, want ok=%v", target, err, ok)
		} else if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("ValidateTarget(%q) quotes the password: %v", target, err)
		}
	}
}
