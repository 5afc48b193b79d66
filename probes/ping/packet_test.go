package ping

import (
	"encoding/binary"
	"testing"
)

func TestChecksumRFC1071Example(t *testing.T) {
	// The example from RFC 1071 section 3: sum 0xddf2, checksum its complement.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got, want := checksum(b), ^uint16(0xddf2); got != want {
		t.Fatalf("checksum = %#04x, want %#04x", got, want)
	}
}

func TestMarshalEchoVerifies(t *testing.T) {
	for _, size := range []int{16, 56, 57} {
		b := make([]byte, 8+size)
		marshalEcho(b, 0x1234, 0xbeef, 42)
		if checksum(b) != 0 {
			t.Errorf("size %d: packet does not verify: checksum over it = %#04x", size, checksum(b))
		}
		if b[0] != typeEcho || binary.BigEndian.Uint16(b[4:]) != 0x1234 || binary.BigEndian.Uint16(b[6:]) != 0xbeef {
			t.Errorf("size %d: header % x", size, b[:8])
		}
	}
}

func TestParseEchoReply(t *testing.T) {
	b := make([]byte, 8+56)
	marshalEcho(b, 7, 9, 0xfeed)
	b[0] = typeEchoReply
	r, ok := parseReply(b, [4]byte{198, 18, 0, 2})
	if !ok || r.kind != typeEchoReply || r.id != 7 || r.seq != 9 || r.token != 0xfeed || r.dst != [4]byte{198, 18, 0, 2} {
		t.Fatalf("parseReply = %+v, %v", r, ok)
	}
}

func TestParseUnreachableQuotesOriginal(t *testing.T) {
	orig := make([]byte, 8+tokenLen)
	marshalEcho(orig, 7, 9, 0xfeed)
	ip := make([]byte, 20)
	ip[0], ip[9] = 0x45, 1
	copy(ip[16:], []byte{198, 18, 0, 9})
	msg := append([]byte{typeUnreachable, 1, 0, 0, 0, 0, 0, 0}, append(ip, orig...)...)
	r, ok := parseReply(msg, [4]byte{198, 18, 0, 1})
	if !ok || r.kind != typeUnreachable || r.dst != [4]byte{198, 18, 0, 9} || r.seq != 9 || r.token != 0xfeed {
		t.Fatalf("parseReply = %+v, %v", r, ok)
	}
}

func TestParseIgnoresOthers(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":               nil,
		"short":               {0, 0, 0},
		"echo request":        make([]byte, 64),
		"reply without token": {typeEchoReply, 0, 0, 0, 0, 1, 0, 1},
		"unreachable quoting udp": append([]byte{typeUnreachable, 3, 0, 0, 0, 0, 0, 0},
			0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0),
	} {
		if name == "echo request" {
			b[0] = typeEcho
		}
		if r, ok := parseReply(b, [4]byte{}); ok {
			t.Errorf("%s: parsed as %+v", name, r)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	b := make([]byte, 8+56)
	marshalEcho(b, 1, 2, 3)
	f.Add(b)
	b2 := append([]byte{}, b...)
	b2[0] = typeEchoReply
	f.Add(b2)
	f.Add(append([]byte{typeUnreachable, 1, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 0, 0, 0, 0, 0, 0, 1}, b...))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseReply(b, [4]byte{1, 2, 3, 4})
	})
}
