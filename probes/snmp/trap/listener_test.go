package trap

import (
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/snmp"
)

// sink collects forwarded samples.
type sink struct {
	mu sync.Mutex
	s  []probe.Sample
	ch chan probe.Sample
}

func newSink() *sink { return &sink{ch: make(chan probe.Sample, 100)} }

func (k *sink) forward(s probe.Sample) {
	k.mu.Lock()
	k.s = append(k.s, s)
	k.mu.Unlock()
	k.ch <- s
}

func (k *sink) all() []probe.Sample {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]probe.Sample(nil), k.s...)
}

var localhost = netip.MustParseAddrPort("127.0.0.1:40000")

// TestHandle runs datagrams through the whole path after the queue and
// checks what is forwarded and what is dropped with which reason.
func TestHandle(t *testing.T) {
	poller := func(device string, ifIndex int) (snmp.IfInfo, bool) {
		if device == "198.18.0.2:161" && ifIndex == 9 {
			return snmp.IfInfo{Name: "eth1", Line: "L-FROM-POLLER"}, true
		}
		return snmp.IfInfo{}, false
	}
	cases := []struct {
		name   string
		from   netip.AddrPort
		data   func(t *testing.T) []byte
		reason string            // "" = forwarded
		tags   map[string]string // of the forwarded sample
		operUp float64
	}{
		{name: "v2c linkDown by ifName", data: func(t *testing.T) []byte { return encode(t, v2c(testCommunity), linkTrap(false, 3, "eth1")) },
			tags: map[string]string{"device": "198.18.0.2:161", "kind": "link_down", "source": "trap", "ifindex": "3", "ifname": "eth1", "line": "L-0001"}},
		{name: "v2c linkUp by ifIndex", data: func(t *testing.T) []byte { return encode(t, v2c(testCommunity), linkTrap(true, 7, "")) },
			tags: map[string]string{"device": "198.18.0.2:161", "kind": "link_up", "source": "trap", "ifindex": "7", "line": "L-0007"}, operUp: 1},
		{name: "name from the poller", data: func(t *testing.T) []byte { return encode(t, v2c(testCommunity), linkTrap(false, 9, "")) },
			tags: map[string]string{"device": "198.18.0.2:161", "kind": "link_down", "source": "trap", "ifindex": "9", "ifname": "eth1", "line": "L-0001"}},
		{name: "v1 linkUp", data: func(t *testing.T) []byte {
			tr := linkTrap(true, 3, "eth1")
			tr.Variables = tr.Variables[2:]
			tr.Enterprise, tr.AgentAddress, tr.GenericTrap, tr.Timestamp = ".1.3.6.1.4.1.8072.3.2.10", "198.18.0.2", 3, 500
			return encode(t, v1(testCommunity), tr)
		}, tags: map[string]string{"device": "198.18.0.2:161", "kind": "link_up", "source": "trap", "ifindex": "3", "ifname": "eth1", "line": "L-0001"}, operUp: 1},
		{name: "v3 authPriv", data: func(t *testing.T) []byte {
			return encode(t, v3(gosnmp.AuthPriv, testAuth, testPriv), linkTrap(false, 3, "eth1"))
		}, tags: map[string]string{"device": "198.18.0.2:161", "kind": "link_down", "source": "trap", "ifindex": "3", "ifname": "eth1", "line": "L-0001"}},
		{name: "coldStart", data: func(t *testing.T) []byte {
			return encode(t, v2c(testCommunity), gosnmp.SnmpTrap{Variables: []gosnmp.SnmpPDU{
				{Name: ".1.3.6.1.6.3.1.1.4.1.0", Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.6.3.1.1.5.1"}}})
		}, tags: map[string]string{"device": "198.18.0.2:161", "kind": "cold_start", "source": "trap"}},

		{name: "wrong community", data: func(t *testing.T) []byte { return encode(t, v2c("public"), linkTrap(false, 3, "eth1")) }, reason: DropCommunity},
		{name: "unknown source", from: netip.MustParseAddrPort("198.18.0.66:162"),
			data: func(t *testing.T) []byte { return encode(t, v2c(testCommunity), linkTrap(false, 3, "eth1")) }, reason: DropUnknownSource},
		{name: "v3 wrong auth password", data: func(t *testing.T) []byte {
			return encode(t, v3(gosnmp.AuthPriv, "wrong-pass-000", testPriv), linkTrap(false, 3, "eth1"))
		}, reason: DropV3Auth},
		{name: "v3 wrong priv password", data: func(t *testing.T) []byte {
			return encode(t, v3(gosnmp.AuthPriv, testAuth, "wrong-pass-000"), linkTrap(false, 3, "eth1"))
		}, reason: DropV3Auth},
		{name: "v3 below the configured level", data: func(t *testing.T) []byte {
			return encode(t, v3(gosnmp.AuthNoPriv, testAuth, ""), linkTrap(false, 3, "eth1"))
		}, reason: DropV3Auth},
		{name: "v3 unauthenticated", data: func(t *testing.T) []byte {
			return encode(t, v3(gosnmp.NoAuthNoPriv, "", ""), linkTrap(false, 3, "eth1"))
		}, reason: DropV3Auth},
		{name: "enterprise trap", data: func(t *testing.T) []byte {
			return encode(t, v2c(testCommunity), gosnmp.SnmpTrap{Variables: []gosnmp.SnmpPDU{
				{Name: ".1.3.6.1.6.3.1.1.4.1.0", Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.4.1.99999.0.1"}}})
		}, reason: DropUnhandled},
		{name: "garbage", data: func(*testing.T) []byte { return []byte("\x30\x03\x02\x01\x01garbage") }, reason: DropMalformed},
		{name: "empty", data: func(*testing.T) []byte { return nil }, reason: DropMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := newSink()
			reg := prometheus.NewRegistry()
			at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			l, err := build(Options{Config: testCfg(t), Forward: k.forward, Lookup: poller, Registerer: reg, Now: func() time.Time { return at }})
			if err != nil {
				t.Fatal(err)
			}
			from := tc.from
			if !from.IsValid() {
				from = localhost
			}
			l.handle(datagram{from: from, data: tc.data(t), at: at})
			got := k.all()
			if tc.reason != "" {
				if len(got) != 0 {
					t.Fatalf("forwarded %+v, want dropped (%s)", got, tc.reason)
				}
				if n := value(l.m.dropped.WithLabelValues(tc.reason)); n != 1 {
					t.Fatalf("dropped{reason=%s} = %v", tc.reason, n)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("forwarded %d samples, want 1 (drops: %v)", len(got), dropCounts(l))
			}
			s := got[0]
			if s.Measurement != snmp.MeasurementEvent || !s.Time.Equal(at) {
				t.Errorf("measurement %q time %v", s.Measurement, s.Time)
			}
			if len(s.Tags) != len(tc.tags) {
				t.Errorf("tags %v, want %v", s.Tags, tc.tags)
			}
			for k, v := range tc.tags {
				if s.Tags[k] != v {
					t.Errorf("tag %s = %q, want %q (all: %v)", k, s.Tags[k], v, s.Tags)
				}
			}
			if op, ok := s.Fields["oper_up"]; ok && op != tc.operUp {
				t.Errorf("oper_up %v, want %v", op, tc.operUp)
			}
			for _, v := range s.Tags {
				if v == testCommunity {
					t.Error("community became a tag")
				}
			}
		})
	}
}

func dropCounts(l *Listener) map[string]float64 {
	out := map[string]float64{}
	for _, r := range []string{DropUnknownSource, DropMalformed, DropCommunity, DropV3Auth, DropVersion, DropNotTrap, DropUnhandled, DropQueueFull} {
		out[r] = value(l.m.dropped.WithLabelValues(r))
	}
	return out
}

// TestListenUDP sends real datagrams to a listener on a loopback port and
// checks the hand-off time and that Close leaves no goroutine behind.
func TestListenUDP(t *testing.T) {
	before := runtime.NumGoroutine()
	k := newSink()
	l, err := Listen(Options{Config: testCfg(t), Forward: k.forward})
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.UDPAddr)
	for _, g := range []*gosnmp.GoSNMP{v2c(testCommunity), v3(gosnmp.AuthPriv, testAuth, testPriv)} {
		sent := time.Now()
		sendTo(t, g, addr, linkTrap(false, 3, "eth1"))
		select {
		case s := <-k.ch:
			if d := time.Since(sent); d > time.Second {
				t.Errorf("%v trap handed off after %s", g.Version, d)
			}
			if s.Tags["line"] != "L-0001" {
				t.Errorf("tags %v", s.Tags)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%v trap not forwarded", g.Version)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	waitGoroutines(t, before)
}

// TestStorm: a publisher that stalls must not block the socket. The queue
// (8) fills, the rest is dropped and counted, and what was queued arrives
// in order once the publisher moves again.
func TestStorm(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var got []string
	first := make(chan struct{}, 1)
	l, err := Listen(Options{Config: testCfg(t), Forward: func(s probe.Sample) {
		select {
		case first <- struct{}{}:
		default:
		}
		<-release
		mu.Lock()
		got = append(got, s.Tags["ifindex"])
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	addr := l.Addr().(*net.UDPAddr)
	conn, err := net.DialUDP("udp", nil, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const n = 50
	for i := 1; i <= n; i++ {
		if _, err := conn.Write(encode(t, v2c(testCommunity), linkTrap(i%2 == 0, i, ""))); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			<-first // the worker holds trap 1; the queue takes the next 8
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for value(l.m.received) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	queued := 1 + cap(l.queue)
	for time.Now().Before(deadline) {
		mu.Lock()
		m := len(got)
		mu.Unlock()
		if m >= queued {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != queued {
		t.Fatalf("forwarded %d, want %d", len(got), queued)
	}
	for i, idx := range got {
		if idx != strconv.Itoa(i+1) {
			t.Fatalf("order %v", got)
		}
	}
	if d := value(l.m.dropped.WithLabelValues(DropQueueFull)); d != n-float64(queued) {
		t.Errorf("queue_full drops %v, want %d", d, n-queued)
	}
}

// waitGoroutines fails unless the goroutine count returns to before.
func waitGoroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
