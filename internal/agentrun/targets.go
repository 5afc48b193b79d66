package agentrun

import (
	"net"
	"net/http"
	"net/http/httptest"

	"golang.org/x/net/dns/dnsmessage"
)

// Targets are loopback servers for the http, tcp and dns probes.
type Targets struct {
	// HTTPURL answers 200 "ok".
	HTTPURL string
	// TCPAddr accepts and closes connections.
	TCPAddr string
	// DNSServer answers every A question with 127.0.0.1.
	DNSServer string

	closers []func()
}

// StartTargets starts the three servers; Close stops them.
func StartTargets() (*Targets, error) {
	t := &Targets{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	t.HTTPURL = hs.URL + "/health"
	t.closers = append(t.closers, hs.Close)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Close()
		return nil, err
	}
	t.TCPAddr = l.Addr().String()
	t.closers = append(t.closers, func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Close()
		return nil, err
	}
	t.DNSServer = pc.LocalAddr().String()
	t.closers = append(t.closers, func() { pc.Close() })
	go serveDNS(pc)
	return t, nil
}

// Close stops every server.
func (t *Targets) Close() {
	for _, c := range t.closers {
		c()
	}
}

// serveDNS answers A questions with 127.0.0.1 and anything else with no
// answer, until pc is closed.
func serveDNS(pc net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		reply, err := answer(buf[:n])
		if err != nil {
			continue // not a DNS query; a real server would drop it too
		}
		_, _ = pc.WriteTo(reply, addr)
	}
}

func answer(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	if q.Type == dnsmessage.TypeA {
		rh := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60}
		if err := b.AResource(rh, dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}
