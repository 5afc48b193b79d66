package dial

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/vantage-net/vantage/probes/probe"
)

const (
	typeA    = uint16(dnsmessage.TypeA)
	typeAAAA = uint16(dnsmessage.TypeAAAA)
	// ednsSize is the UDP payload size offered: the DNS Flag Day 2020 value,
	// which fits common path MTUs, so large answers come truncated (and are
	// asked again over TCP) rather than fragmented and lost.
	ednsSize = 1232
)

// rcodeNames spell reply codes as dig does, which operators know.
var rcodeNames = map[dnsmessage.RCode]string{
	dnsmessage.RCodeFormatError:    "FORMERR",
	dnsmessage.RCodeServerFailure:  "SERVFAIL",
	dnsmessage.RCodeNameError:      "NXDOMAIN (no such name)",
	dnsmessage.RCodeNotImplemented: "NOTIMP",
	dnsmessage.RCodeRefused:        "REFUSED",
}

func recordName(qtype uint16) string {
	if qtype == typeAAAA {
		return "AAAA"
	}
	return "A"
}

// dnsRound asks the configured server for the target's records. dns_ms is
// the time from sending the query to holding the answer, including a TCP
// retry after a truncated UDP answer.
func (p *Prober) dnsRound(ctx context.Context, name string, r *round) error {
	id := uint16(rand.Uint32())
	query, err := buildQuery(id, name, dnsmessage.Type(p.cfg.qtype))
	if err != nil {
		return &classError{ErrConfig, err}
	}
	start := time.Now()
	reply, err := p.exchange(ctx, "udp", query, id)
	if err == nil && reply.Header.Truncated {
		reply, err = p.exchange(ctx, "tcp", query, id)
	}
	if err != nil {
		return fmt.Errorf("%s %s to %s: %w", recordName(p.cfg.qtype), name, p.cfg.server, err)
	}
	r.took("dns_ms", start)
	return p.checkReply(reply, name)
}

func buildQuery(id uint16, name string, qtype dnsmessage.Type) ([]byte, error) {
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	n, err := dnsmessage.NewName(name)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", name, err)
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: id, RecursionDesired: true})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(dnsmessage.Question{Name: n, Type: qtype, Class: dnsmessage.ClassINET}); err != nil {
		return nil, err
	}
	if err := b.StartAdditionals(); err != nil {
		return nil, err
	}
	var opt dnsmessage.ResourceHeader
	if err := opt.SetEDNS0(ednsSize, dnsmessage.RCodeSuccess, false); err != nil {
		return nil, err
	}
	if err := b.OPTResource(opt, dnsmessage.OPTResource{}); err != nil {
		return nil, err
	}
	return b.Finish()
}

// exchange sends query over network ("udp" or "tcp", with the two-byte
// length prefix of RFC 1035 4.2.2) and returns the reply with the same id.
// UDP replies with another id are skipped, not trusted: they are late
// answers to an earlier round or spoofed.
func (p *Prober) exchange(ctx context.Context, network string, query []byte, id uint16) (*dnsmessage.Message, error) {
	conn, err := p.dial(ctx, network, p.cfg.server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// Reads honour deadlines, not contexts: end them when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if network == "tcp" {
		return exchangeStream(conn, query, id)
	}
	if _, err := conn.Write(query); err != nil {
		return nil, err
	}
	buf := make([]byte, 65535)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		var parser dnsmessage.Parser
		h, err := parser.Start(buf[:n])
		if err != nil || h.ID != id || !h.Response {
			continue
		}
		if h.Truncated {
			// The rest may be cut mid-record; only the header matters.
			return &dnsmessage.Message{Header: h}, nil
		}
		var m dnsmessage.Message
		if err := m.Unpack(buf[:n]); err != nil {
			return nil, &classError{probe.ErrProtocol, fmt.Errorf("DNS reply: %w", err)}
		}
		return &m, nil
	}
}

func exchangeStream(conn net.Conn, query []byte, id uint16) (*dnsmessage.Message, error) {
	framed := binary.BigEndian.AppendUint16(nil, uint16(len(query)))
	if _, err := conn.Write(append(framed, query...)); err != nil {
		return nil, err
	}
	var size [2]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		return nil, err
	}
	buf := make([]byte, binary.BigEndian.Uint16(size[:]))
	if _, err := io.ReadFull(conn, buf); err != nil {
		return nil, err
	}
	var m dnsmessage.Message
	if err := m.Unpack(buf); err != nil {
		return nil, &classError{probe.ErrProtocol, fmt.Errorf("DNS reply over TCP: %w", err)}
	}
	if m.Header.ID != id || !m.Header.Response {
		return nil, &classError{probe.ErrProtocol, fmt.Errorf("DNS reply over TCP does not answer the query")}
	}
	return &m, nil
}

// checkReply turns the server's verdict into the round's: NXDOMAIN and
// server failures are class "dns"; an answer without the records asked for,
// or without any expected address, is class "answer".
func (p *Prober) checkReply(m *dnsmessage.Message, name string) error {
	if rc := m.Header.RCode; rc != dnsmessage.RCodeSuccess {
		what, ok := rcodeNames[rc]
		if !ok {
			what = rc.String()
		}
		return &classError{probe.ErrDNS, fmt.Errorf("%s %s: server %s answered %s", recordName(p.cfg.qtype), name, p.cfg.server, what)}
	}
	var got []netip.Addr
	for _, rr := range m.Answers {
		switch b := rr.Body.(type) {
		case *dnsmessage.AResource:
			if p.cfg.qtype == typeA {
				got = append(got, netip.AddrFrom4(b.A))
			}
		case *dnsmessage.AAAAResource:
			if p.cfg.qtype == typeAAAA {
				got = append(got, netip.AddrFrom16(b.AAAA))
			}
		}
	}
	if len(got) == 0 {
		return &classError{probe.ErrAnswer, fmt.Errorf("%s %s: server %s answered without %s records", recordName(p.cfg.qtype), name, p.cfg.server, recordName(p.cfg.qtype))}
	}
	if len(p.cfg.expect) == 0 {
		return nil
	}
	for _, a := range got {
		if slices.Contains(p.cfg.expect, a) {
			return nil
		}
	}
	return &classError{probe.ErrAnswer, fmt.Errorf("%s %s: answer %v holds none of the expected %v", recordName(p.cfg.qtype), name, got, p.cfg.expect)}
}
