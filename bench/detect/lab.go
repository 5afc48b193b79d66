package main

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
)

// cleanups is a stack of undo steps, run in reverse on every exit path
// (error, ctrl-C, timeout), so nothing the benchmark made outlives it.
type cleanups []func()

func (c *cleanups) add(f func()) { *c = append(*c, f) }

func (c *cleanups) run() {
	for i := len(*c) - 1; i >= 0; i-- {
		(*c)[i]()
	}
	*c = nil
}

// popLab is the topology of internal/e2e's PoP lab test: a "PoP" namespace
// with a bridge, one customer namespace per line hanging from a bridge
// port by a veth link, and the host (where the agent and the controller
// run) routed to the customers' subnet through the PoP's uplink. Customers and
// the bridge hold static neighbour entries for each other, so a link that
// comes back pays no ARP resolution: the benchmark measures the detector.
type popLab struct {
	pop    string   // the PoP namespace
	portIf []string // PoP-side (bridge port) interface of each customer link
	addrs  []string // customer addresses
}

// maxLines is how many customers fit in .10-.126.
const maxLines = 117

var benchNet = &net.IPNet{IP: net.IPv4(198, 18, 0, 0), Mask: net.CIDRMask(15, 32)}

// ip runs the ip command and returns its error with its output.
func ip(args ...string) error {
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// newPopLab builds the lab in prefix.0/24 (a /24 of 198.18.0.0/15, e.g.
// "198.18.124"): the customers' subnet is .0/25 (bridge .1, n customers
// from .10), the uplink the /30 .252 (host .253, PoP .254). The uplink
// must lie outside the customers' subnet, or their replies to the host
// would look for it on their own link.
func newPopLab(cl *cleanups, prefix string, n int) (*popLab, error) {
	if p := net.ParseIP(prefix + ".0"); p == nil || !benchNet.Contains(p) {
		return nil, fmt.Errorf("lab network %s.0/24 is not a /24 inside 198.18.0.0/15", prefix)
	}
	if n < 1 || n > maxLines {
		return nil, fmt.Errorf("%d customer lines do not fit in %s.10-126", n, prefix)
	}
	for _, a := range []string{".10", ".253"} {
		if out, _ := exec.Command("ip", "route", "show", "to", "match", prefix+a).Output(); strings.Contains(string(out), prefix+".") {
			return nil, fmt.Errorf("%s.0/24 is already in use on this host (another run?): %s; pick another -net",
				prefix, strings.TrimSpace(string(out)))
		}
	}
	tag := lab.Unique()
	l := &popLab{pop: "vtd" + tag + "p"}
	if err := ip("netns", "add", l.pop); err != nil {
		return nil, err
	}
	cl.add(func() { _ = ip("netns", "del", l.pop) })
	hostIf, popIf := "du"+tag+"h", "du"+tag+"p"
	brMAC := "02:00:c6:12:00:01" // fixed: the customers' static entry for the bridge
	steps := [][]string{
		{"-n", l.pop, "link", "set", "lo", "up"},
		{"link", "add", hostIf, "type", "veth", "peer", "name", popIf},
		{"link", "set", popIf, "netns", l.pop},
		{"addr", "add", prefix + ".253/30", "dev", hostIf},
		{"link", "set", hostIf, "up"},
		{"-n", l.pop, "addr", "add", prefix + ".254/30", "dev", popIf},
		{"-n", l.pop, "link", "set", popIf, "up"},
		{"netns", "exec", l.pop, "sysctl", "-qw", "net.ipv4.ip_forward=1"},
		{"-n", l.pop, "link", "add", "br0", "address", brMAC, "type", "bridge"},
		{"-n", l.pop, "addr", "add", prefix + ".1/25", "dev", "br0"},
		{"-n", l.pop, "link", "set", "br0", "up"},
		{"route", "add", prefix + ".0/25", "via", prefix + ".254"},
	}
	// Deleting the PoP namespace takes the uplink's host end, and with it
	// the route; these are for a run stopped half-way through the steps.
	cl.add(func() { _ = exec.Command("ip", "link", "del", hostIf).Run() })
	cl.add(func() { _ = exec.Command("ip", "route", "del", prefix+".0/25").Run() })
	for _, s := range steps {
		if err := ip(s...); err != nil {
			return nil, err
		}
	}
	for i := range n {
		if err := l.addCustomer(cl, tag, prefix, brMAC, i); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// addCustomer makes customer i's namespace and its link to a bridge port.
func (l *popLab) addCustomer(cl *cleanups, tag, prefix, brMAC string, i int) error {
	ns := fmt.Sprintf("vtd%sc%d", tag, i)
	if err := ip("netns", "add", ns); err != nil {
		return err
	}
	cl.add(func() { _ = ip("netns", "del", ns) })
	ci, pi := fmt.Sprintf("dc%s%03d", tag, i), fmt.Sprintf("dp%s%03d", tag, i)
	addr := fmt.Sprintf("%s.%d", prefix, 10+i)
	mac := fmt.Sprintf("02:00:c6:12:01:%02x", i)
	steps := [][]string{
		{"-n", ns, "link", "set", "lo", "up"},
		{"link", "add", ci, "address", mac, "type", "veth", "peer", "name", pi},
		{"link", "set", ci, "netns", ns},
		{"link", "set", pi, "netns", l.pop},
		{"-n", ns, "addr", "add", addr + "/25", "dev", ci},
		{"-n", ns, "link", "set", ci, "up"},
		{"-n", ns, "route", "add", "default", "via", prefix + ".1"},
		{"-n", l.pop, "link", "set", pi, "master", "br0"},
		{"-n", l.pop, "link", "set", pi, "up"},
		{"-n", l.pop, "neigh", "replace", addr, "lladdr", mac, "dev", "br0", "nud", "permanent"},
		{"-n", ns, "neigh", "replace", prefix + ".1", "lladdr", brMAC, "dev", ci, "nud", "permanent"},
	}
	for _, s := range steps {
		if err := ip(s...); err != nil {
			return err
		}
	}
	l.portIf, l.addrs = append(l.portIf, pi), append(l.addrs, addr)
	return nil
}

// setLink sets customer i's bridge port down or up and returns the time the
// command had returned: the ground truth of when the link changed. The
// PoP's port, not the customer's end: that takes the customer's carrier
// down too but keeps its interface administratively up, so its routes
// survive.
func (l *popLab) setLink(i int, up bool) (time.Time, error) {
	state := "down"
	if up {
		state = "up"
	}
	err := ip("-n", l.pop, "link", "set", "dev", l.portIf[i], state)
	return time.Now(), err
}
