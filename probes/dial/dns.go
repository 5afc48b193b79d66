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
	"time"

	"github.com/vantage-net/vantage/probes/probe"
)

const (
	// ednsSize is the UDP payload size offered: the DNS Flag Day 2020 value,
	// which fits common path MTUs, so large answers come truncated (and are
	// asked again over TCP) rather than fragmented and lost.
	ednsSize = 1232
)

// rcodeNames spell reply codes as dig does, which operators know.
var rcodeNames = map[uint16]string{
	1: "FORMERR",
	2: "SERVFAIL",
	3: "NXDOMAIN (no such name)",
	4: "NOTIMP",
	5: "REFUSED",
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
	query, err := buildQuery(id, name, p.cfg.qtype)
	if err != nil {
		return &probe.ClassError{Class: ErrConfig, Err: err}
	}
	start := time.Now()
	reply, err := p.exchange(ctx, "udp", query, id)
	if err == nil && reply.truncated {
		reply, err = p.exchange(ctx, "tcp", query, id)
	}
	if err != nil {
		return fmt.Errorf("%s %s to %s: %w", recordName(p.cfg.qtype), name, p.cfg.server, err)
	}
	r.took("dns_ms", start)
	return p.checkReply(reply, name)
}

// exchange sends query over network ("udp" or "tcp", with the two-byte
// length prefix of RFC 1035 4.2.2) and returns the reply with the same id.
// UDP replies with another id are skipped, not trusted: they are late
// answers to an earlier round or spoofed.
func (p *Prober) exchange(ctx context.Context, network string, query []byte, id uint16) (dnsReply, error) {
	conn, err := p.dial(ctx, network, p.cfg.server)
	if err != nil {
		return dnsReply{}, err
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
		return dnsReply{}, err
	}
	buf := make([]byte, 65535)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return dnsReply{}, err
		}
		h, err := parseHeader(buf[:n])
		if err != nil || h.id != id || !h.response {
			continue
		}
		if h.truncated {
			// The rest may be cut mid-record; only the header matters.
			return h, nil
		}
		m, err := parseReply(buf[:n])
		if err != nil {
			return dnsReply{}, &probe.ClassError{Class: probe.ErrProtocol, Err: fmt.Errorf("DNS reply: %w", err)}
		}
		return m, nil
	}
}

func exchangeStream(conn net.Conn, query []byte, id uint16) (dnsReply, error) {
	framed := binary.BigEndian.AppendUint16(nil, uint16(len(query)))
	if _, err := conn.Write(append(framed, query...)); err != nil {
		return dnsReply{}, err
	}
	var size [2]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		return dnsReply{}, err
	}
	buf := make([]byte, binary.BigEndian.Uint16(size[:]))
	if _, err := io.ReadFull(conn, buf); err != nil {
		return dnsReply{}, err
	}
	m, err := parseReply(buf)
	if err != nil {
		return dnsReply{}, &probe.ClassError{Class: probe.ErrProtocol, Err: fmt.Errorf("DNS reply over TCP: %w", err)}
	}
	if m.id != id || !m.response {
		return dnsReply{}, &probe.ClassError{Class: probe.ErrProtocol, Err: fmt.Errorf("DNS reply over TCP does not answer the query")}
	}
	return m, nil
}

// checkReply turns the server's verdict into the round's: NXDOMAIN and
// server failures are class "dns"; an answer without the records asked for,
// or without any expected address, is class "answer".
func (p *Prober) checkReply(m dnsReply, name string) error {
	if rc := m.rcode; rc != rcodeSuccess {
		what, ok := rcodeNames[rc]
		if !ok {
			what = fmt.Sprintf("RCode%d", rc)
		}
		return &probe.ClassError{Class: probe.ErrDNS, Err: fmt.Errorf("%s %s: server %s answered %s", recordName(p.cfg.qtype), name, p.cfg.server, what)}
	}
	var got []netip.Addr
	for _, a := range m.addrs {
		if a.qtype == p.cfg.qtype {
			got = append(got, a.addr)
		}
	}
	if len(got) == 0 {
		return &probe.ClassError{Class: probe.ErrAnswer, Err: fmt.Errorf("%s %s: server %s answered without %s records", recordName(p.cfg.qtype), name, p.cfg.server, recordName(p.cfg.qtype))}
	}
	if len(p.cfg.expect) == 0 {
		return nil
	}
	for _, a := range got {
		if slices.Contains(p.cfg.expect, a) {
			return nil
		}
	}
	return &probe.ClassError{Class: probe.ErrAnswer, Err: fmt.Errorf("%s %s: answer %v holds none of the expected %v", recordName(p.cfg.qtype), name, got, p.cfg.expect)}
}
