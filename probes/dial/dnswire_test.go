package dial

import (
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// TestDNSWireAgainstDNSMessage: the probe's query is what
// golang.org/x/net/dns/dnsmessage reads as the intended question with an
// EDNS0 OPT record, and a reply that library packs (CNAME, A, AAAA,
// compressed names, an additional record) parses to its addresses.
func TestDNSWireAgainstDNSMessage(t *testing.T) {
	q, err := buildQuery(0xbeef, "www.example.test", typeAAAA)
	if err != nil {
		t.Fatal(err)
	}
	var m dnsmessage.Message
	if err := m.Unpack(q); err != nil {
		t.Fatalf("dnsmessage cannot read the query: %v", err)
	}
	if m.ID != 0xbeef || !m.RecursionDesired || m.Response || len(m.Questions) != 1 ||
		m.Questions[0].Name.String() != "www.example.test." || m.Questions[0].Type != dnsmessage.TypeAAAA ||
		m.Questions[0].Class != dnsmessage.ClassINET {
		t.Fatalf("query reads as %+v", m)
	}
	if len(m.Additionals) != 1 || m.Additionals[0].Header.Type != dnsmessage.TypeOPT || m.Additionals[0].Header.Class != ednsSize {
		t.Fatalf("no EDNS0 OPT offering %d bytes: %+v", ednsSize, m.Additionals)
	}

	name := dnsmessage.MustNewName("alias.example.test.")
	target := dnsmessage.MustNewName("www.example.test.")
	rh := func(n dnsmessage.Name, typ dnsmessage.Type) dnsmessage.ResourceHeader {
		return dnsmessage.ResourceHeader{Name: n, Type: typ, Class: dnsmessage.ClassINET, TTL: 60}
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 7, Response: true, RCode: dnsmessage.RCodeSuccess})
	b.EnableCompression()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.StartQuestions())
	must(b.Question(dnsmessage.Question{Name: name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}))
	must(b.StartAnswers())
	must(b.CNAMEResource(rh(name, dnsmessage.TypeCNAME), dnsmessage.CNAMEResource{CNAME: target}))
	must(b.AResource(rh(target, dnsmessage.TypeA), dnsmessage.AResource{A: [4]byte{198, 18, 1, 10}}))
	must(b.AAAAResource(rh(target, dnsmessage.TypeAAAA), dnsmessage.AAAAResource{AAAA: [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}}))
	must(b.StartAdditionals())
	must(b.AResource(rh(target, dnsmessage.TypeA), dnsmessage.AResource{A: [4]byte{198, 18, 9, 9}}))
	reply, err := b.Finish()
	must(err)
	r, err := parseReply(reply)
	if err != nil {
		t.Fatal(err)
	}
	want := []dnsAddr{{typeA, netip.MustParseAddr("198.18.1.10")}, {typeAAAA, netip.MustParseAddr("2001:db8::1")}}
	if r.id != 7 || !r.response || r.truncated || r.rcode != 0 || len(r.addrs) != 2 || r.addrs[0] != want[0] || r.addrs[1] != want[1] {
		t.Fatalf("reply parsed as %+v, want answers %v (the additional record is not an answer)", r, want)
	}
	// Every cut of the reply is refused, never read past its end.
	for n := 0; n < len(reply); n++ {
		if _, err := parseReply(reply[:n]); err == nil {
			t.Fatalf("reply cut to %d of %d bytes parsed", n, len(reply))
		}
	}
}

// TestDNSWireRefusesBadNames: names a server could never answer are config
// errors before anything is sent; malformed names in replies are errors.
func TestDNSWireRefusesBadNames(t *testing.T) {
	for _, name := range []string{"a..b", strings.Repeat("x", 64) + ".test", strings.Repeat("abcdefg.", 33)} {
		if _, err := buildQuery(1, name, typeA); err == nil {
			t.Errorf("query for %q built", name)
		}
	}
	q, err := buildQuery(1, ".", typeA)
	if err != nil || q[headerLen] != 0 {
		t.Fatalf("root query: %v %x", err, q)
	}
	hdr := []byte{0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	for what, msg := range map[string][]byte{
		"reserved label type": append(hdr, 0x40, 0, 0, 1, 0, 1),
		"pointer out":         append(hdr, 0xc0, 0xff, 0, 1, 0, 1),
	} {
		if _, err := parseReply(msg); err == nil {
			t.Errorf("%s: parsed", what)
		}
	}
}
