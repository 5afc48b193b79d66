package ping

import "encoding/binary"

// ICMP types the engine reads or writes.
const (
	typeEchoReply   = 0
	typeUnreachable = 3
	typeEcho        = 8
	typeTimeExceed  = 11
)

// tokenLen is the engine's token at the start of every payload: a raw socket
// sees other programs' echo replies too, and the token tells ours apart even
// when their echo id collides with ours.
const tokenLen = 8

// marshalEcho writes an echo request with id, seq and the token into b
// (len(b) = 8 + payload size) and fills in the checksum. The kernel rewrites
// id and checksum on datagram sockets; raw sockets send it as is.
func marshalEcho(b []byte, id, seq uint16, token uint64) {
	b[0], b[1] = typeEcho, 0
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	binary.BigEndian.PutUint64(b[8:], token)
	binary.BigEndian.PutUint16(b[2:], checksum(b))
}

// checksum is the Internet checksum (RFC 1071).
func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// reply is what the reader learned from one received ICMP message.
type reply struct {
	kind    int // typeEchoReply or typeUnreachable
	id, seq uint16
	// dst is the address the original request went to: the reply's source
	// for an echo reply, the quoted header's destination for an error.
	dst   [4]byte
	token uint64
}

// parseReply decodes an ICMP message without IP header. ok is false for
// anything that is not an echo reply or an error quoting an echo request.
func parseReply(b []byte, from [4]byte) (r reply, ok bool) {
	if len(b) < 8 {
		return r, false
	}
	switch b[0] {
	case typeEchoReply:
		if len(b) < 8+tokenLen {
			return r, false
		}
		r.kind, r.dst = typeEchoReply, from
		r.id = binary.BigEndian.Uint16(b[4:])
		r.seq = binary.BigEndian.Uint16(b[6:])
		r.token = binary.BigEndian.Uint64(b[8:])
		return r, true
	case typeUnreachable, typeTimeExceed:
		// 8 bytes of ICMP header, then the original IP header and at least
		// the first 8 bytes of the original ICMP message (RFC 792).
		ip := b[8:]
		if len(ip) < 20 || ip[0]>>4 != 4 {
			return r, false
		}
		ihl := int(ip[0]&0x0f) * 4
		if ihl < 20 || len(ip) < ihl+8 || ip[9] != 1 {
			return r, false
		}
		orig := ip[ihl:]
		if orig[0] != typeEcho {
			return r, false
		}
		r.kind = typeUnreachable
		copy(r.dst[:], ip[16:20])
		r.id = binary.BigEndian.Uint16(orig[4:])
		r.seq = binary.BigEndian.Uint16(orig[6:])
		if len(orig) >= 8+tokenLen {
			r.token = binary.BigEndian.Uint64(orig[8:])
		}
		return r, true
	}
	return r, false
}
