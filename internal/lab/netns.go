package lab

import (
	"net"
	"os/exec"
	"strings"
	"testing"
)

// Netns is a network namespace a test made; it is deleted when the test ends.
// Every address a test gives it must lie in 198.18.0.0/15 (the benchmarking
// range), so lab traffic can never reach a real host.
type Netns struct {
	Name string
	t    testing.TB
}

var benchNet = &net.IPNet{IP: net.IPv4(198, 18, 0, 0), Mask: net.CIDRMask(15, 32)}

// NewNetns creates a namespace with loopback up. prefix should be short (it is
// suffixed with a random tag).
func NewNetns(t testing.TB, prefix string) *Netns {
	t.Helper()
	NeedRoot(t)
	NeedBinary(t, "ip", "iproute2")
	name := "vt" + prefix + Unique()
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		Missing(t, "ip netns add: %v: %s", err, out)
	}
	ns := &Netns{Name: name, t: t}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	ns.Run("ip", "link", "set", "lo", "up")
	return ns
}

// Run runs a command inside the namespace and fails the test if it fails.
func (n *Netns) Run(args ...string) string {
	n.t.Helper()
	return Run(n.t, "ip", append([]string{"netns", "exec", n.Name}, args...)...)
}

// Command returns an exec.Cmd that runs inside the namespace.
func (n *Netns) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}

// CheckAddr fails the test unless cidr lies in 198.18.0.0/15.
func CheckAddr(t testing.TB, cidr string) {
	t.Helper()
	ip, _, err := net.ParseCIDR(cidr)
	if err != nil {
		ip = net.ParseIP(cidr)
	}
	if ip == nil || !benchNet.Contains(ip) {
		t.Fatalf("lab address %q is outside 198.18.0.0/15", cidr)
	}
}

// Veth links namespace a (or the host when a is nil) to namespace b with a
// veth pair, gives each end its address (CIDR, inside 198.18.0.0/15) and sets
// both up. It returns the interface names on each side.
func Veth(t testing.TB, a *Netns, addrA string, b *Netns, addrB string) (ifA, ifB string) {
	t.Helper()
	CheckAddr(t, addrA)
	CheckAddr(t, addrB)
	tag := Unique()
	ifA, ifB = "va"+tag, "vb"+tag
	Run(t, "ip", "link", "add", ifA, "type", "veth", "peer", "name", ifB)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", ifA).Run() })
	move := func(ns *Netns, ifname, addr string) {
		if ns != nil {
			Run(t, "ip", "link", "set", ifname, "netns", ns.Name)
			ns.Run("ip", "addr", "add", addr, "dev", ifname)
			ns.Run("ip", "link", "set", ifname, "up")
			return
		}
		Run(t, "ip", "addr", "add", addr, "dev", ifname)
		Run(t, "ip", "link", "set", ifname, "up")
	}
	move(a, ifA, addrA)
	move(b, ifB, addrB)
	return ifA, ifB
}

// SetLink sets an interface in the namespace (or the host when n is nil) up or down.
func SetLink(t testing.TB, n *Netns, ifname string, up bool) {
	t.Helper()
	state := "down"
	if up {
		state = "up"
	}
	if n == nil {
		Run(t, "ip", "link", "set", ifname, state)
		return
	}
	n.Run("ip", "link", "set", ifname, state)
}

// String returns the namespace name.
func (n *Netns) String() string { return n.Name }

// Addr strips the prefix length from a CIDR.
func Addr(cidr string) string { a, _, _ := strings.Cut(cidr, "/"); return a }
