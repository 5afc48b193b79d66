package trap

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/vantage-net/vantage/probes/probe"
)

// FuzzHandle feeds random and mutated datagrams through the trap decoding
// path as a listed source sends them. Every datagram must end as exactly one
// forward or one counted drop, gosnmp must not panic (the recover in decode
// is a seat belt, not a crutch), and no goroutine may be left behind.
func FuzzHandle(f *testing.F) {
	f.Add(encode(f, v2c(testCommunity), linkTrap(false, 3, "eth1")))
	f.Add(encode(f, v2c("public"), linkTrap(true, 7, "")))
	tr := linkTrap(true, 3, "eth1")
	tr.Variables, tr.Enterprise, tr.AgentAddress, tr.GenericTrap = tr.Variables[2:], ".1.3.6.1.4.1.8072", "198.18.0.2", 3
	f.Add(encode(f, v1(testCommunity), tr))
	f.Add(encode(f, v3(gosnmp.AuthPriv, testAuth, testPriv), linkTrap(false, 3, "eth1")))
	f.Add(encode(f, v3(gosnmp.AuthNoPriv, testAuth, ""), linkTrap(false, 3, "eth1")))
	f.Add(encode(f, v3(gosnmp.NoAuthNoPriv, "", ""), linkTrap(false, 3, "eth1")))
	f.Add([]byte{0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x03})
	f.Add([]byte{})

	forwarded := 0
	l, err := build(Options{Config: testCfg(f), Forward: func(s probe.Sample) {
		forwarded++
		if s.Tags["device"] == "" || s.Tags["kind"] == "" || s.Time.IsZero() {
			panic("forwarded an incomplete sample")
		}
	}})
	if err != nil {
		f.Fatal(err)
	}
	total := func() int {
		n := forwarded
		for _, v := range dropCounts(l) {
			n += int(v)
		}
		return n
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		g := runtime.NumGoroutine()
		before := total()
		_, err := l.decoders[localhost.Addr()].decode(append([]byte(nil), data...))
		var de *dropError
		if errors.As(err, &de) && strings.HasPrefix(de.msg, "decoder panic") {
			t.Fatalf("gosnmp panicked: %s", de.msg)
		}
		l.handle(datagram{from: localhost, data: data, at: at})
		if n := total() - before; n != 1 {
			t.Fatalf("datagram accounted %d times, want once", n)
		}
		if n := runtime.NumGoroutine(); n > g {
			t.Fatalf("goroutines %d → %d", g, n)
		}
	})
}
