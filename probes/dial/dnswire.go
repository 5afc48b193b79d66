package dial

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// The probe's DNS wire format (RFC 1035, EDNS0 from RFC 6891): one
// question out, a reply's header and address records in. It is written
// here rather than with golang.org/x/net/dns/dnsmessage because that
// module's copy costs the MIPS agent about 80 kB next to the copy net
// vendors, and the probe needs only this much of it.

const (
	typeA    = 1
	typeAAAA = 28
	typeOPT  = 41
	classIN  = 1

	rcodeSuccess = 0
	headerLen    = 12
)

// dnsReply is what the probe reads of a reply.
type dnsReply struct {
	id        uint16
	response  bool
	truncated bool
	rcode     uint16
	// addrs are the answer section's A and AAAA records (CNAMEs and
	// others skipped), each with its type.
	addrs []dnsAddr
}

type dnsAddr struct {
	qtype uint16
	addr  netip.Addr
}

// buildQuery encodes a recursive query for name (a trailing dot is
// added) and qtype with an EDNS0 OPT record offering ednsSize bytes.
func buildQuery(id uint16, name string, qtype uint16) ([]byte, error) {
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	if len(name) > 255 {
		return nil, fmt.Errorf("%q: name longer than 255 bytes", name)
	}
	b := make([]byte, headerLen, headerLen+len(name)+1+4+11)
	binary.BigEndian.PutUint16(b[0:], id)
	binary.BigEndian.PutUint16(b[2:], 1<<8) // RD
	binary.BigEndian.PutUint16(b[4:], 1)    // QDCOUNT
	binary.BigEndian.PutUint16(b[10:], 1)   // ARCOUNT: the OPT record
	if name != "." {
		for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
			if len(label) == 0 || len(label) > 63 {
				return nil, fmt.Errorf("%q: label %q must have 1 to 63 bytes", name, label)
			}
			b = append(b, byte(len(label)))
			b = append(b, label...)
		}
	}
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, qtype)
	b = binary.BigEndian.AppendUint16(b, classIN)
	// OPT: root name, type, UDP payload size as class, extended rcode,
	// version and flags 0 as TTL, no options.
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, typeOPT)
	b = binary.BigEndian.AppendUint16(b, ednsSize)
	b = append(b, 0, 0, 0, 0, 0, 0)
	return b, nil
}

var errShort = errors.New("message ends early")

// parseHeader reads the header of msg.
func parseHeader(msg []byte) (dnsReply, error) {
	if len(msg) < headerLen {
		return dnsReply{}, errShort
	}
	flags := binary.BigEndian.Uint16(msg[2:])
	return dnsReply{id: binary.BigEndian.Uint16(msg), response: flags&(1<<15) != 0,
		truncated: flags&(1<<9) != 0, rcode: flags & 0xf}, nil
}

// parseReply reads msg whole: every section must be well formed; the
// answer section's address records are kept.
func parseReply(msg []byte) (dnsReply, error) {
	r, err := parseHeader(msg)
	if err != nil {
		return r, err
	}
	qd := int(binary.BigEndian.Uint16(msg[4:]))
	counts := [3]int{int(binary.BigEndian.Uint16(msg[6:])), int(binary.BigEndian.Uint16(msg[8:])), int(binary.BigEndian.Uint16(msg[10:]))}
	off := headerLen
	for i := 0; i < qd; i++ {
		if off, err = skipName(msg, off); err != nil {
			return r, fmt.Errorf("question %d: %w", i+1, err)
		}
		if off += 4; off > len(msg) {
			return r, fmt.Errorf("question %d: %w", i+1, errShort)
		}
	}
	for sec, n := range counts {
		for i := 0; i < n; i++ {
			if off, err = skipName(msg, off); err != nil {
				return r, fmt.Errorf("record %d of section %d: %w", i+1, sec+2, err)
			}
			if off+10 > len(msg) {
				return r, fmt.Errorf("record %d of section %d: %w", i+1, sec+2, errShort)
			}
			typ := binary.BigEndian.Uint16(msg[off:])
			size := int(binary.BigEndian.Uint16(msg[off+8:]))
			off += 10
			if off+size > len(msg) {
				return r, fmt.Errorf("record %d of section %d: %w", i+1, sec+2, errShort)
			}
			data := msg[off : off+size]
			off += size
			if sec != 0 {
				continue
			}
			switch {
			case typ == typeA && size == 4:
				r.addrs = append(r.addrs, dnsAddr{typ, netip.AddrFrom4([4]byte(data))})
			case typ == typeAAAA && size == 16:
				r.addrs = append(r.addrs, dnsAddr{typ, netip.AddrFrom16([16]byte(data))})
			case typ == typeA || typ == typeAAAA:
				return r, fmt.Errorf("answer %d: address record of %d bytes", i+1, size)
			}
		}
	}
	return r, nil
}

// skipName steps over the name at off: labels ending in a zero byte or a
// compression pointer (whose target the probe does not need).
func skipName(msg []byte, off int) (int, error) {
	for total := 0; ; {
		if off >= len(msg) {
			return 0, errShort
		}
		c := int(msg[off])
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				return off + 1, nil
			}
			if total += c + 1; total > 255 {
				return 0, errors.New("name longer than 255 bytes")
			}
			off += 1 + c
		case 0xc0:
			if off+2 > len(msg) {
				return 0, errShort
			}
			if int(binary.BigEndian.Uint16(msg[off:])&0x3fff) >= len(msg) {
				return 0, errors.New("name pointer out of the message")
			}
			return off + 2, nil
		default:
			return 0, errors.New("name label type reserved")
		}
	}
}
