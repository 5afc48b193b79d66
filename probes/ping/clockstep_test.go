package ping

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
	prometheus "github.com/vantage-net/vantage/internal/metrics"
)

// A kernel stamp is placed by its age on the wall clock, not by the wall
// clock at the engine's start: on a CPE without a real-time clock the
// engine starts in 1970 and NTP steps the wall clock to 2026 later, and a
// reply stamped 5 ms before it was read must count with its RTT, not be
// judged 56 years late (lost).
func TestKernelStampAfterWallClockStep(t *testing.T) {
	mono := clock.NewFake(time.Unix(0, 0)) // the wall clock read 1970 at start
	c := newFakeConn()
	c.gate = make(chan struct{}) // the reader goroutine stays out: the test hands the packet in
	m := newEngineMetrics()
	reg := prometheus.NewRegistry()
	if err := m.register(reg); err != nil {
		t.Fatal(err)
	}
	e := startEngine(&socket{conn: c, raw: true}, m, mono)
	t.Cleanup(func() { e.Close() })

	dst := netip.MustParseAddr("198.18.1.3")
	rounds := make(chan roundStats, 1)
	e.Start(dst, 1, time.Millisecond, time.Minute, 56, func(st roundStats) { rounds <- st })
	req := <-c.written // sent at offset 0
	mono.Advance(20 * time.Millisecond)

	// Read 20 ms (monotonic) after the send; NTP has stepped the wall
	// clock to 2026 meanwhile; the kernel stamped the reply 5 ms before
	// the read, so it came back after 15 ms.
	wall := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	reply := append([]byte(nil), req...)
	reply[0] = typeEchoReply
	a := dst.As4()
	from := &net.IPAddr{IP: net.IP(a[:])}
	if fin := e.receive(reply, from, wall.Add(-5*time.Millisecond), e.now(), wall); fin != nil {
		fin()
	}
	select {
	case st := <-rounds:
		if want := 15 * time.Millisecond; st.Recv != 1 || st.Min != want {
			t.Fatalf("reply stamped 5 ms before its read 20 ms after the send: %+v, want Recv 1 RTT %v (counters %v)",
				st, want, engineCounters(t, reg))
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the round never ended; counters %v", engineCounters(t, reg))
	}
	if got := engineCounters(t, reg); got["late_replies_total"] != 0 || got["replies_total"] != 1 {
		t.Fatalf("counters %v", got)
	}
}
