package e2e

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
)

// compareName is the name the README's compare-dns probe resolves, and
// compareNameAddr the address every network's DNS server answers for it.
const (
	compareName     = "portal.lab.example"
	compareNameAddr = "198.18.200.80"
)

// startDNS runs a real DNS server, dnsmasq (Debian's dnsmasq-base, which
// `make deps` installs), in the network's namespace, answering
// compareName with compareNameAddr on 127.0.0.1:5353, and in front of it
// on compareServer:53 a UDP relay that holds each query n.dnsDelay before
// passing it on: the slower resolver path of a "worse" network. The relay
// forwards dnsmasq's replies byte for byte. (The kernel here has no netem
// qdisc to delay packets with tc.)
func (n *compareNet) startDNS(t *testing.T) {
	t.Helper()
	dnsmasq := lab.NeedBinary(t, "dnsmasq", "dnsmasq-base")
	cmd := n.ns.Command(dnsmasq, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
		"--bind-interfaces", "--listen-address=127.0.0.1", "--port=5353", "--user=root", "--pid-file",
		"--log-facility=-", "--address=/"+compareName+"/"+compareNameAddr)
	lab.Start(t, "dnsmasq in "+n.ns.Name, cmd)
	var front net.PacketConn
	var back net.Conn
	if err := n.ns.Do(func() (err error) {
		if front, err = net.ListenPacket("udp", compareServer+":53"); err != nil {
			return err
		}
		back, err = net.Dial("udp", "127.0.0.1:5353")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = front.Close(); _ = back.Close() })
	// dnsmasq answers before the agent asks: a query of our own first.
	query := append([]byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}, dnsName(compareName)...)
	query = append(query, 0, 1, 0, 1) // A, IN
	lab.WaitFor(t, lab.Deadline(t, 10*time.Second), 100*time.Millisecond, func() error {
		if _, err := back.Write(query); err != nil {
			return err
		}
		_ = back.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		buf := make([]byte, 512)
		k, err := back.Read(buf)
		if err != nil {
			return err
		}
		if k < 12 || buf[0] != 0x12 || buf[1] != 0x34 || buf[7] == 0 {
			return errors.New("dnsmasq's reply has no answer")
		}
		return nil
	})
	go func() {
		buf, reply := make([]byte, 1500), make([]byte, 1500)
		for {
			k, client, err := front.ReadFrom(buf)
			if err != nil {
				return // closed at cleanup
			}
			time.Sleep(time.Duration(n.dnsDelay.Load()))
			if _, err := back.Write(buf[:k]); err != nil {
				continue
			}
			_ = back.SetReadDeadline(time.Now().Add(2 * time.Second))
			m, err := back.Read(reply)
			if err != nil {
				continue // dnsmasq did not answer: neither does the network
			}
			_, _ = front.WriteTo(reply[:m], client)
		}
	}()
}

// dnsName is name in DNS wire format (length-prefixed labels, a zero).
func dnsName(name string) []byte {
	var b []byte
	for _, l := range strings.Split(name, ".") {
		b = append(append(b, byte(len(l))), l...)
	}
	return append(b, 0)
}
