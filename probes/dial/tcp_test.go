package dial

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

func TestTCP(t *testing.T) {
	open := serve(t, func(c net.Conn) { c.Close() })
	_, port, _ := net.SplitHostPort(open)
	p := newProber(t, "kind: tcp")

	t.Run("open port", func(t *testing.T) {
		s := probeOnce(t, p, open, 2*time.Second)
		wantOK(t, s, "connect_ms")
		if s.Tags["kind"] != "tcp" {
			t.Errorf("kind tag %q", s.Tags["kind"])
		}
	})
	t.Run("by name", func(t *testing.T) {
		// A name is resolved first and timed apart from the connect. The
		// resolver seam keeps the test off the host's resolver config.
		q := newProber(t, "kind: tcp")
		q.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}
		wantOK(t, probeOnce(t, q, net.JoinHostPort("service.test", port), 2*time.Second), "connect_ms", "dns_ms")
	})
	t.Run("refused", func(t *testing.T) {
		wantFail(t, probeOnce(t, p, closedPort(t), 2*time.Second), probe.ErrRefused)
	})
	t.Run("black hole", func(t *testing.T) {
		// Loopback always answers a SYN, so a dropped SYN is simulated at
		// the dial seam: it waits for the round's deadline like a real one.
		q := newProber(t, "kind: tcp")
		q.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			<-ctx.Done()
			return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
		}
		wantFail(t, probeOnce(t, q, open, 100*time.Millisecond), probe.ErrTimeout)
	})
	t.Run("target not host:port", func(t *testing.T) {
		wantFail(t, probeOnce(t, p, "example.test", 3*time.Second), ErrConfig)
	})
}

func TestValidateTarget(t *testing.T) {
	for target, ok := range map[string]bool{
		"198.18.0.1:443":      true,
		"[2001:db8::1]:53":    true,
		"pop1.example.net":    true,
		"pop1.example.net:22": true,
		"example.net.":        true,
		"":                    false,
		"has space:80":        false,
		"host:0":              false,
		"host:99999":          false,
		"http://x":            false,
		":80":                 false,
		"bad..name":           false,
	} {
		if err := ValidateTarget(target); (err == nil) != ok {
			t.Errorf("ValidateTarget(%q) = %v, want ok=%v", target, err, ok)
		}
	}
}
