package dial

import (
	"crypto/tls"
	"math"
	"net"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// tlsServer serves handshakes with cert and closes each connection.
func tlsServer(t *testing.T, cert testCert) string {
	cfg := &tls.Config{Certificates: []tls.Certificate{cert.tls}}
	return serve(t, func(c net.Conn) {
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_ = tls.Server(c, cfg).Handshake()
	})
}

func TestTLS(t *testing.T) {
	valid := newCert(t, time.Now().Add(30*24*time.Hour))
	expired := newCert(t, time.Now().Add(-2*24*time.Hour))
	validAddr, expiredAddr := tlsServer(t, valid), tlsServer(t, expired)
	// A listener whose connections never answer the ClientHello.
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	silent := serve(t, func(c net.Conn) { <-done; c.Close() })

	tests := []struct {
		name     string
		options  string
		target   string
		class    string  // "" for success
		daysLeft float64 // checked when not NaN
	}{
		{"verified with ca_file", "kind: tls\nca_file: " + valid.caFile, validAddr, "", 30},
		{"self-signed refused by default", "kind: tls", validAddr, probe.ErrTLS, 30},
		{"insecure accepts self-signed", "kind: tls\ninsecure_skip_verify: true", validAddr, "", 30},
		{"expired still reports days", "kind: tls\nca_file: " + expired.caFile, expiredAddr, probe.ErrTLS, -2},
		{"wrong server_name", "kind: tls\nserver_name: other.test\nca_file: " + valid.caFile, validAddr, probe.ErrTLS, 30},
		{"server_name localhost", "kind: tls\nserver_name: localhost\nca_file: " + valid.caFile, validAddr, "", 30},
		{"refused", "kind: tls", closedPort(t), probe.ErrRefused, math.NaN()},
		{"handshake never answered", "kind: tls", silent, probe.ErrTimeout, math.NaN()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProber(t, tc.options)
			// Short only where the deadline is the point: loading the system
			// roots alone can take longer under -race.
			timeout := 3 * time.Second
			if tc.class == probe.ErrTimeout {
				timeout = 200 * time.Millisecond
			}
			s := probeOnce(t, p, tc.target, timeout)
			if tc.class == "" {
				wantOK(t, s, "connect_ms", "tls_ms")
			} else {
				wantFail(t, s, tc.class)
			}
			if !math.IsNaN(tc.daysLeft) {
				// Generous: the certificate was made moments ago.
				if got, ok := s.Fields["cert_days_left"]; !ok || math.Abs(got-tc.daysLeft) > 0.01 {
					t.Errorf("cert_days_left = %v (%v), want %v", got, ok, tc.daysLeft)
				}
			}
			if tc.class == probe.ErrTimeout {
				if _, ok := s.Fields["connect_ms"]; !ok {
					t.Errorf("a handshake timeout should still report connect_ms: %v", s.Fields)
				}
			}
			t.Logf("class %q detail %q", s.Error, s.Detail)
		})
	}
}
