package config

import (
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/yamlstrict"
)

// Network is one uplink of the agent, for comparing networks side by side:
// our access and competitors' SIMs or lines at the same site. A probe that
// lists networks runs its whole target set over each of them, at the same
// moments, and tags every result network=<name>.
//
//	networks:
//	  - {name: ours,  source_interface: wwan0}
//	  - {name: rival, source_address: 198.18.2.2}
type Network struct {
	// Name becomes the "network" tag; the controller's compare section
	// says which name is ours. Letters, digits, '-' and '_'.
	Name string `yaml:"name"`
	// SourceInterface binds the probes' sockets to this device
	// (SO_BINDTODEVICE): packets leave through it whatever the routing
	// table prefers. It must exist on the host when the agent starts.
	SourceInterface string `yaml:"source_interface"`
	// SourceAddress binds the probes' sockets to this local address (the
	// source the far end sees). Without source_interface it selects the
	// uplink only where policy routing sends that source out of it.
	SourceAddress string `yaml:"source_address"`

	line int
}

// UnmarshalYAML records the entry's line, for validation messages.
func (n *Network) UnmarshalYAML(node *yaml.Node) error {
	type plain Network
	if err := node.Decode((*plain)(n)); err != nil {
		return err
	}
	n.line = node.Line
	return nil
}

// Address is SourceAddress parsed (invalid when empty; validation refused
// anything else).
func (n Network) Address() netip.Addr {
	a, _ := netip.ParseAddr(n.SourceAddress)
	return a
}

// interfaceExists reports whether the host has the interface, and else
// lists the ones it has, for the message.
func interfaceExists(name string) (bool, []string) {
	if _, err := net.InterfaceByName(name); err == nil {
		return true, nil
	}
	ifs, _ := net.Interfaces()
	var names []string
	for _, i := range ifs {
		names = append(names, i.Name)
	}
	sort.Strings(names)
	return false, names
}

// validateNetworks checks the networks block and every probe's networks.
func (c *Config) validateNetworks() yamlstrict.Errors {
	var errs yamlstrict.Errors
	bad := func(line int, field, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: %s: %s", c.at(line), field, fmt.Sprintf(format, args...)))
	}
	names := map[string]int{}
	for i, n := range c.Networks {
		f := fmt.Sprintf("networks[%d]", i)
		switch prev, dup := names[n.Name]; {
		case !validTag(n.Name):
			bad(n.line, f+".name", "%q must be non-empty letters, digits, '-' or '_' (it becomes the network tag)", n.Name)
		case dup:
			bad(n.line, f+".name", "%q is already networks[%d]", n.Name, prev)
		default:
			names[n.Name] = i
		}
		if n.SourceInterface == "" && n.SourceAddress == "" {
			bad(n.line, f, "give source_interface or source_address (or both): without them the network is the host's default route")
		}
		if n.SourceInterface != "" {
			if ok, have := interfaceExists(n.SourceInterface); !ok {
				bad(n.line, f+".source_interface", "%q is not an interface on this host (have: %s)", n.SourceInterface, strings.Join(have, ", "))
			}
		}
		if n.SourceAddress != "" {
			if _, err := netip.ParseAddr(n.SourceAddress); err != nil {
				bad(n.line, f+".source_address", "%q is not an IP address", n.SourceAddress)
			}
		}
	}
	for i := range c.Probes {
		p := &c.Probes[i]
		if len(p.Networks) == 0 {
			continue
		}
		f := fmt.Sprintf("probes[%d].networks", i)
		if !bindable[p.Type] {
			bad(p.line, f, "a %s probe cannot be bound to an uplink (ping, dial and http can)", p.Type)
		}
		seen := map[string]bool{}
		for j, name := range p.Networks {
			if _, ok := names[name]; !ok {
				bad(p.line, fmt.Sprintf("%s[%d]", f, j), "%q is not in networks (known: %s)", name, strings.Join(sortedKeys(names), ", "))
			}
			if seen[name] {
				bad(p.line, fmt.Sprintf("%s[%d]", f, j), "%q is listed twice", name)
			}
			seen[name] = true
		}
	}
	return errs
}

// bindable are the probe types whose sockets take a probe.Source.
var bindable = map[string]bool{"ping": true, "dial": true, "http": true}

// Network returns the named network (false if none).
func (c *Config) Network(name string) (Network, bool) {
	for _, n := range c.Networks {
		if n.Name == name {
			return n, true
		}
	}
	return Network{}, false
}

func validTag(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
