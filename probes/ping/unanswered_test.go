package ping

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/lab"
	prometheus "github.com/vantage-net/vantage/internal/metrics"
)

// fakeConn stands in for the raw ICMP socket: it hands every request the
// engine writes to the test, and the engine reads what the test answers.
type fakeConn struct {
	written chan []byte
	replies chan fakePacket // the socket's receive queue
	// gate, if not nil, holds the reader back: it takes a packet only
	// after a value on gate, as a reader waiting for a CPU would.
	gate   chan struct{}
	closed chan struct{}
	once   sync.Once
	// echoAt, if set, answers every request as it is written, received
	// by the kernel at echoAt's now (a target one instant away).
	echoAt *clock.Fake
}

type fakePacket struct {
	b    []byte
	from net.Addr
	at   time.Time // the kernel's receive time; zero: when read
}

// readAt is the engine's read with the kernel's receive time.
func (c *fakeConn) readAt(b []byte) (int, net.Addr, time.Time, error) {
	if c.gate != nil {
		select {
		case <-c.gate:
		case <-c.closed:
			return 0, nil, time.Time{}, net.ErrClosed
		}
	}
	select {
	case p := <-c.replies:
		at := p.at
		if at.IsZero() {
			at = time.Now()
		}
		return copy(b, p.b), p.from, at, nil
	case <-c.closed:
		return 0, nil, time.Time{}, net.ErrClosed
	}
}

// queued is SIOCINQ: whether a packet waits in the receive queue.
func (c *fakeConn) queued() (int, bool) { return len(c.replies), true }

func newFakeConn() *fakeConn {
	return &fakeConn{written: make(chan []byte, 16), replies: make(chan fakePacket, 16), closed: make(chan struct{})}
}

func (c *fakeConn) ReadFrom(b []byte) (int, net.Addr, error) {
	select {
	case p := <-c.replies:
		return copy(b, p.b), p.from, nil
	case <-c.closed:
		return 0, nil, net.ErrClosed
	}
}

func (c *fakeConn) WriteTo(b []byte, to net.Addr) (int, error) {
	if c.echoAt != nil {
		a, _ := fromIP(to)
		c.answerAt(b, netip.AddrFrom4(a), c.echoAt.Now())
		return len(b), nil
	}
	c.written <- append([]byte(nil), b...)
	return len(b), nil
}

func (c *fakeConn) Close() error                     { c.once.Do(func() { close(c.closed) }); return nil }
func (c *fakeConn) LocalAddr() net.Addr              { return &net.IPAddr{IP: net.IPv4zero} }
func (c *fakeConn) SetDeadline(time.Time) error      { return nil }
func (c *fakeConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fakeConn) SetWriteDeadline(time.Time) error { return nil }

// answer queues the echo reply to request req as dst would.
func (c *fakeConn) answer(req []byte, dst netip.Addr) { c.answerAt(req, dst, time.Time{}) }

// answerAt queues the reply as received by the kernel at at.
func (c *fakeConn) answerAt(req []byte, dst netip.Addr, at time.Time) {
	b := append([]byte(nil), req...)
	b[0] = typeEchoReply
	a := dst.As4()
	c.replies <- fakePacket{b: b, from: &net.IPAddr{IP: net.IP(a[:])}, at: at}
}

// engineCounters reads the engine's counters as the agent's /metrics shows them.
func engineCounters(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	prometheus.Handler(reg).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	m := map[string]float64{}
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		name, v, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		m[strings.TrimPrefix(name, "vantage_agent_ping_")] = f
	}
	return m
}

// A request in flight is not lost: only a round that ends without its reply
// counts it unanswered, once, and its reply read afterwards is late. Before
// this counter the bench took loss as sent minus replies at a scrape, which
// counted the requests in flight at that moment.
func TestUnansweredCountsOnlyRoundsThatEndedWithoutReply(t *testing.T) {
	c := newFakeConn()
	m := newEngineMetrics()
	reg := prometheus.NewRegistry()
	if err := m.register(reg); err != nil {
		t.Fatal(err)
	}
	e := startEngine(&socket{conn: c, raw: true}, m, clock.Real{})
	t.Cleanup(func() { e.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	want := func(sent, replies, unanswered, late float64) {
		t.Helper()
		lab.WaitFor(t, ctx, 5*time.Millisecond, func() error {
			got := engineCounters(t, reg)
			if got["requests_sent_total"] != sent || got["replies_total"] != replies ||
				got["requests_unanswered_total"] != unanswered || got["late_replies_total"] != late {
				return fmt.Errorf("sent %v replies %v unanswered %v late %v, want %v %v %v %v",
					got["requests_sent_total"], got["replies_total"], got["requests_unanswered_total"],
					got["late_replies_total"], sent, replies, unanswered, late)
			}
			return nil
		})
	}
	rounds := make(chan roundStats)
	ping := func(ctx context.Context, dst netip.Addr) {
		go func() { rounds <- e.Ping(ctx, dst, 1, time.Millisecond, 56) }()
	}

	a := netip.MustParseAddr("198.18.1.1")
	ping(ctx, a)
	req := <-c.written
	want(1, 0, 0, 0) // in flight at the scrape
	c.answer(req, a)
	if st := <-rounds; st.Recv != 1 {
		t.Fatalf("answered round: %+v", st)
	}
	want(1, 1, 0, 0)

	b := netip.MustParseAddr("198.18.1.2")
	rctx, end := context.WithCancel(ctx)
	ping(rctx, b)
	req = <-c.written
	want(2, 1, 0, 0)
	end() // the round's time is up before its reply came
	if st := <-rounds; st.Recv != 0 || st.Sent != 1 {
		t.Fatalf("unanswered round: %+v", st)
	}
	want(2, 1, 1, 0)
	c.answer(req, b)
	want(2, 1, 1, 1) // read late: still lost, not counted twice
}
