package dial

import (
	"encoding/binary"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/vantage-net/vantage/probes/probe"
)

// dnsServer is a tiny authoritative server on loopback, UDP and TCP on the
// same port, answering from a fixed zone:
//
//	www.test.      A 198.18.1.10, AAAA 2001:db8::10
//	alias.test.    CNAME www.test., A 198.18.1.10
//	v6only.test.   AAAA 2001:db8::10 (no A)
//	big.test.      40 A records; truncated over UDP
//	spoof.test.    A 198.18.1.10, preceded by a reply with a wrong id
//	fail.test.     SERVFAIL
//	silent.test.   never answered
//	anything else  NXDOMAIN
type dnsServer struct {
	addr       string
	tcpQueries atomic.Int32
}

func startDNS(t *testing.T) *dnsServer {
	t.Helper()
	s := &dnsServer{}
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close() // the TCP port is taken; try another
			continue
		}
		t.Cleanup(func() { pc.Close(); l.Close() })
		s.addr = pc.LocalAddr().String()
		go s.serveUDP(pc)
		go s.serveTCP(l)
		return s
	}
	t.Fatal("no free port for UDP and TCP together")
	return nil
}

func (s *dnsServer) serveUDP(pc net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		for _, reply := range s.answer(buf[:n], false) {
			_, _ = pc.WriteTo(reply, from)
		}
	}
}

func (s *dnsServer) serveTCP(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		s.tcpQueries.Add(1)
		go func() {
			defer c.Close()
			var size [2]byte
			if _, err := io.ReadFull(c, size[:]); err != nil {
				return
			}
			q := make([]byte, binary.BigEndian.Uint16(size[:]))
			if _, err := io.ReadFull(c, q); err != nil {
				return
			}
			for _, reply := range s.answer(q, true) {
				_, _ = c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(reply))), reply...))
			}
		}()
	}
}

// answer returns the packets to send back for query q.
func (s *dnsServer) answer(q []byte, overTCP bool) [][]byte {
	var m dnsmessage.Message
	if err := m.Unpack(q); err != nil || len(m.Questions) != 1 {
		return nil
	}
	question := m.Questions[0]
	r := dnsmessage.Message{Header: dnsmessage.Header{ID: m.ID, Response: true, RecursionAvailable: true}, Questions: m.Questions}
	a := func(name string, ip [4]byte) dnsmessage.Resource {
		return dnsmessage.Resource{Header: dnsmessage.ResourceHeader{Name: dnsmessage.MustNewName(name), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60},
			Body: &dnsmessage.AResource{A: ip}}
	}
	aaaa := dnsmessage.Resource{Header: dnsmessage.ResourceHeader{Name: question.Name, Type: dnsmessage.TypeAAAA, Class: dnsmessage.ClassINET, TTL: 60},
		Body: &dnsmessage.AAAAResource{AAAA: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 0x10}}}
	var out [][]byte
	switch question.Name.String() {
	case "www.test.":
		if question.Type == dnsmessage.TypeAAAA {
			r.Answers = append(r.Answers, aaaa)
		} else {
			r.Answers = append(r.Answers, a("www.test.", [4]byte{198, 18, 1, 10}))
		}
	case "alias.test.":
		r.Answers = append(r.Answers,
			dnsmessage.Resource{Header: dnsmessage.ResourceHeader{Name: question.Name, Type: dnsmessage.TypeCNAME, Class: dnsmessage.ClassINET, TTL: 60},
				Body: &dnsmessage.CNAMEResource{CNAME: dnsmessage.MustNewName("www.test.")}},
			a("www.test.", [4]byte{198, 18, 1, 10}))
	case "v6only.test.":
		if question.Type == dnsmessage.TypeAAAA {
			r.Answers = append(r.Answers, aaaa)
		}
	case "big.test.":
		if !overTCP {
			r.Header.Truncated = true
			break
		}
		for i := range 40 {
			r.Answers = append(r.Answers, a("big.test.", [4]byte{198, 18, 2, byte(i)}))
		}
	case "spoof.test.":
		wrong := r
		wrong.Header.ID++
		wrong.Answers = []dnsmessage.Resource{a("spoof.test.", [4]byte{198, 18, 6, 6})}
		b, _ := wrong.Pack()
		out = append(out, b)
		r.Answers = append(r.Answers, a("spoof.test.", [4]byte{198, 18, 1, 10}))
	case "fail.test.":
		r.Header.RCode = dnsmessage.RCodeServerFailure
	case "silent.test.":
		return nil
	default:
		r.Header.RCode = dnsmessage.RCodeNameError
	}
	b, err := r.Pack()
	if err != nil {
		return nil
	}
	return append(out, b)
}

func TestDNS(t *testing.T) {
	srv := startDNS(t)
	closed := func() string {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		return pc.LocalAddr().String()
	}()
	base := "kind: dns\nserver: " + srv.addr + "\n"
	tests := []struct {
		name, options, target, class string
	}{
		{"A", base, "www.test", ""},
		{"A with trailing dot", base, "www.test.", ""},
		{"A expected", base + "expect: [198.18.9.9, 198.18.1.10]", "www.test", ""},
		{"A not expected", base + "expect: [198.18.9.9]", "www.test", probe.ErrAnswer},
		{"AAAA expected", base + "record: AAAA\nexpect: ['2001:db8::10']", "www.test", ""},
		{"no A records", base, "v6only.test", probe.ErrAnswer},
		{"through a CNAME", base + "expect: [198.18.1.10]", "alias.test", ""},
		{"truncated, retried over TCP", base, "big.test", ""},
		{"wrong id skipped", base + "expect: [198.18.1.10]", "spoof.test", ""},
		{"NXDOMAIN", base, "nosuch.test", probe.ErrDNS},
		{"SERVFAIL", base, "fail.test", probe.ErrDNS},
		{"no answer", base, "silent.test", probe.ErrTimeout},
		{"server port closed", "kind: dns\nserver: " + closed, "www.test", probe.ErrRefused},
		{"target not a name", base, "www.test:53", ErrConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			timeout := 3 * time.Second
			if tc.class == probe.ErrTimeout {
				timeout = 200 * time.Millisecond
			}
			s := probeOnce(t, newProber(t, tc.options), tc.target, timeout)
			t.Logf("class %q detail %q fields %v", s.Error, s.Detail, s.Fields)
			if s.Tags["kind"] != "dns" {
				t.Errorf("kind tag %q", s.Tags["kind"])
			}
			switch tc.class {
			case "":
				wantOK(t, s, "dns_ms")
			case probe.ErrAnswer, probe.ErrDNS:
				// The server did answer: its time is worth keeping.
				wantFail(t, s, tc.class)
				if s.Fields["dns_ms"] <= 0 {
					t.Errorf("dns_ms = %v for an answered query", s.Fields["dns_ms"])
				}
			default:
				wantFail(t, s, tc.class)
			}
		})
	}
	if srv.tcpQueries.Load() == 0 {
		t.Error("the truncated answer was not asked again over TCP")
	}
}
