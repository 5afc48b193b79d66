package http

import (
	"crypto/tls"
	"net/http/httptrace"
	"sync"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

// timings records the phases of one round from httptrace hooks. Phases are
// summed over the redirect chain. The hooks run on the transport's dialing
// goroutines, which may outlive an abandoned round, hence the mutex.
type timings struct {
	start time.Time

	mu                  sync.Mutex
	dnsStart, tlsStart  time.Time
	connStart           map[string]time.Time // by address: happy eyeballs dials in parallel
	dns, connect, tlsHS time.Duration
	sawDNS, sawConnect  bool
	sawTLS              bool
	firstByte           time.Time // of the latest response in the chain
}

func newTimings() *timings {
	return &timings{start: time.Now(), connStart: map[string]time.Time{}}
}

func (t *timings) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) { t.mu.Lock(); t.dnsStart = time.Now(); t.mu.Unlock() },
		DNSDone: func(i httptrace.DNSDoneInfo) {
			t.mu.Lock()
			defer t.mu.Unlock()
			if i.Err == nil && !t.dnsStart.IsZero() {
				t.dns += time.Since(t.dnsStart)
				t.sawDNS = true
			}
		},
		ConnectStart: func(_, addr string) { t.mu.Lock(); t.connStart[addr] = time.Now(); t.mu.Unlock() },
		ConnectDone: func(_, addr string, err error) {
			t.mu.Lock()
			defer t.mu.Unlock()
			if s, ok := t.connStart[addr]; ok && err == nil {
				t.connect += time.Since(s)
				t.sawConnect = true
			}
		},
		TLSHandshakeStart: func() { t.mu.Lock(); t.tlsStart = time.Now(); t.mu.Unlock() },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			t.mu.Lock()
			defer t.mu.Unlock()
			if err == nil && !t.tlsStart.IsZero() {
				t.tlsHS += time.Since(t.tlsStart)
				t.sawTLS = true
			}
		},
		GotFirstResponseByte: func() { t.mu.Lock(); t.firstByte = time.Now(); t.mu.Unlock() },
	}
}

// fill adds the phases seen so far to a sample's fields.
func (t *timings) fill(f map[string]float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sawDNS {
		f["dns_ms"] = probe.Timing(t.dns)
	}
	if t.sawConnect {
		f["connect_ms"] = probe.Timing(t.connect)
	}
	if t.sawTLS {
		f["tls_ms"] = probe.Timing(t.tlsHS)
	}
	if !t.firstByte.IsZero() {
		f["ttfb_ms"] = probe.Timing(t.firstByte.Sub(t.start))
	}
}

// firstByteAt is when the final response began, the start of the body
// transfer that throughput is measured over.
func (t *timings) firstByteAt() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.firstByte
}
