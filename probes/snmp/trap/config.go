package trap

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/yamlstrict"
	"github.com/vantage-net/vantage/probes/snmp"
)

// Config is the agent's top-level `traps:` block:
//
//	traps:
//	  listen: 0.0.0.0:162
//	  community: s3cret            # default for every source
//	  devices:
//	    198.18.0.2:                # source address of the traps
//	      device: 198.18.0.2       # device tag: the snmp probe's target
//	      interfaces: [{name: ge-0/0/1, line: L-0001}]
type Config struct {
	// Listen is the UDP address traps arrive on (default 0.0.0.0:162; port
	// 162 needs root or CAP_NET_BIND_SERVICE).
	Listen string `yaml:"listen"`
	// Queue bounds traps received but not yet decoded and forwarded
	// (default 10000). When full, new traps are dropped and counted with
	// reason queue_full: the socket is never left unread.
	Queue int `yaml:"queue"`
	// Community is the v1/v2c community every source must use unless it
	// sets its own. Secret: never logged, never a tag.
	Community snmp.Secret `yaml:"community"`
	// V3 is the SNMPv3 user every source must use unless it sets its own
	// (the snmp probe's v3 format). Its level is the least a trap must have:
	// an authPriv user refuses unauthenticated or unencrypted traps.
	V3 *snmp.V3 `yaml:"v3"`
	// Devices are the accepted trap sources, keyed by IP address (the UDP
	// source address, not the v1 agent-addr field, which anyone can write).
	// Traps from any other address are dropped.
	Devices map[string]Source `yaml:"devices"`
}

// Source is one device allowed to send traps.
type Source struct {
	// Device is the device tag of its events (default: the address). Set it
	// to the snmp probe's target for this device (e.g. 198.18.0.2:1161) so
	// traps and polls share one series.
	Device string `yaml:"device"`
	// Community overrides Config.Community for this source.
	Community snmp.Secret `yaml:"community"`
	// V3 overrides Config.V3 for this source.
	V3 *snmp.V3 `yaml:"v3"`
	// Interfaces map the device's interfaces to lines, as in the snmp
	// probe. Empty: use the poller's map for the device, if it is polled.
	Interfaces []snmp.InterfaceLine `yaml:"interfaces"`
}

// Defaults.
const (
	DefaultListen = "0.0.0.0:162"
	DefaultQueue  = 10000
)

// DecodeConfig decodes and validates a `traps:` block strictly: unknown keys
// and every invalid value are reported at once, each as
// "file:line: traps.path: message". No message quotes a credential.
func DecodeConfig(file string, node *yaml.Node) (*Config, error) {
	var c Config
	var errs yamlstrict.Errors
	// Unknown keys do not stop the checks below: report everything at once.
	if err := yamlstrict.DecodeNode(file, "traps", node, &c); err != nil {
		if !errors.As(err, &errs) {
			return nil, err
		}
	}
	m := node
	if m.Kind == yaml.DocumentNode && len(m.Content) > 0 {
		m = m.Content[0]
	}
	bad := func(n *yaml.Node, field, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s:%d: %s: %s", file, n.Line, field, fmt.Sprintf(format, args...)))
	}
	if c.Listen != "" {
		if _, err := netip.ParseAddrPort(c.Listen); err != nil {
			bad(valueNode(m, "listen"), "traps.listen", "%q is not ip:port (e.g. 0.0.0.0:162)", c.Listen)
		}
	}
	if c.Queue < 0 || c.Queue > 1000000 {
		bad(valueNode(m, "queue"), "traps.queue", "%d is outside 1..1000000", c.Queue)
	}
	errs = append(errs, snmp.CheckAccess(file, m, "traps", c.V3, nil)...)
	if len(c.Devices) == 0 {
		bad(m, "traps.devices", "at least one trap source is required: traps from unlisted addresses are dropped")
	}
	devs := valueNode(m, "devices")
	addrs := make([]string, 0, len(c.Devices))
	for a := range c.Devices {
		addrs = append(addrs, a)
	}
	sort.Slice(addrs, func(i, j int) bool { return keyNode(devs, addrs[i]).Line < keyNode(devs, addrs[j]).Line })
	seen := map[netip.Addr]string{}
	for _, a := range addrs {
		s := c.Devices[a]
		field := "traps.devices[" + strconv.Quote(a) + "]"
		kn := keyNode(devs, a)
		ip, err := netip.ParseAddr(a)
		switch {
		case err != nil:
			bad(kn, field, "%q is not an IP address (the source address of the traps)", a)
		case seen[ip.Unmap()] != "":
			bad(kn, field, "%q is the same address as %q", a, seen[ip.Unmap()])
		default:
			seen[ip.Unmap()] = a
		}
		vn := valueNode(devs, a)
		errs = append(errs, snmp.CheckAccess(file, vn, field, s.V3, s.Interfaces)...)
		if s.Community == "" && s.V3 == nil && c.Community == "" && c.V3 == nil {
			bad(kn, field, "needs a community or a v3 user (here or at traps level) to accept anything")
		}
		if s.Device != "" && (len(s.Device) > 256 || strings.ContainsAny(s.Device, "\x00\n\r\t")) {
			bad(valueNode(vn, "device"), field+".device", "%q is not a usable device tag", s.Device)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Queue == 0 {
		c.Queue = DefaultQueue
	}
	return &c, nil
}

// keyNode returns the key node of key in mapping n, or n itself.
func keyNode(n *yaml.Node, key string) *yaml.Node {
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i]
			}
		}
	}
	if n == nil {
		return &yaml.Node{}
	}
	return n
}

// valueNode returns the value node of key in mapping n, or n itself, so a
// message about a missing key points at the enclosing block.
func valueNode(n *yaml.Node, key string) *yaml.Node {
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	}
	if n == nil {
		return &yaml.Node{}
	}
	return n
}

// source is a Source with defaults applied, ready for decoding.
type source struct {
	addr       netip.Addr
	device     string
	community  snmp.Secret
	v3         *snmp.V3
	interfaces []snmp.InterfaceLine
}

// sources resolves the per-source settings. DecodeConfig has validated c.
func (c *Config) sources() map[netip.Addr]*source {
	out := make(map[netip.Addr]*source, len(c.Devices))
	for a, s := range c.Devices {
		ip, err := netip.ParseAddr(a)
		if err != nil {
			continue
		}
		src := &source{addr: ip.Unmap(), device: s.Device, community: s.Community, v3: s.V3, interfaces: s.Interfaces}
		if src.device == "" {
			src.device = a
		}
		if src.community == "" {
			src.community = c.Community
		}
		if src.v3 == nil {
			src.v3 = c.V3
		}
		out[src.addr] = src
	}
	return out
}
