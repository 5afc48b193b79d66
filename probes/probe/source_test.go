package probe

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// A bound Source dials from its address, and an interface the host lacks
// fails the dial naming it (the socket is never sent unbound).
func TestSourceDialBinds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	from := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		from <- c.RemoteAddr().(*net.TCPAddr).IP.String()
		c.Close()
	}()
	src := Source{Address: netip.MustParseAddr("127.0.0.2")}
	c, err := src.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if got := <-from; got != "127.0.0.2" {
		t.Fatalf("server saw %s, want 127.0.0.2", got)
	}
	_, err = Source{Interface: "vt-no-such-if"}.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err == nil || !strings.Contains(err.Error(), "bind to interface vt-no-such-if") {
		t.Fatalf("dial over a missing interface: %v", err)
	}
	if (Source{}).Bound() || !src.Bound() {
		t.Fatal("Bound")
	}
}
