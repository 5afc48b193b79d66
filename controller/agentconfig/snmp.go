package agentconfig

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/probes/snmp"
)

// SNMPProbe is the name of the derived snmp probe; extra probes of an
// agent that polls devices may not use it.
const SNMPProbe = "snmp"

// SNMPProfile is how a network-side agent polls its devices.
type SNMPProfile struct {
	Interval, Timeout time.Duration
	// Credentials are the controller config's profiles by name: each a
	// mapping of snmp device settings (version, community, v3, …).
	Credentials map[string]yaml.Node
}

type derivedSNMPProbe struct {
	Name     string     `yaml:"name"`
	Type     string     `yaml:"type"`
	Interval string     `yaml:"interval"`
	Timeout  string     `yaml:"timeout,omitempty"`
	Options  *yaml.Node `yaml:"options"`
	Targets  []string   `yaml:"targets"`
}

// deriveSNMP builds one snmp probe over devices: each device's entry under
// options.devices holds its profile's settings and the interfaces of its
// lines; only mapped interfaces are reported (a PE router has hundreds of
// ports, the inventory says which carry lines). The options are checked
// with the probe's own rules before anything is published.
func deriveSNMP(devices []inventory.SNMPDevice, p SNMPProfile) (*derivedSNMPProbe, error) {
	probe := &derivedSNMPProbe{Name: SNMPProbe, Type: "snmp", Interval: p.Interval.String()}
	if p.Timeout > 0 {
		probe.Timeout = p.Timeout.String()
	}
	byTarget := mapping()
	seen := map[string]string{}
	for _, d := range devices {
		e := d.Element
		if other, dup := seen[e.SNMPAddress]; dup {
			return nil, fmt.Errorf("elements %s and %s: same snmp_address %s", other, e.ID, e.SNMPAddress)
		}
		seen[e.SNMPAddress] = e.ID
		cred, ok := p.Credentials[e.SNMPProfile]
		if !ok {
			return nil, fmt.Errorf("element %s: snmp_profile %q is not in the controller's remote_config.snmp.profiles", e.ID, e.SNMPProfile)
		}
		dev := mapping()
		dev.Content = append(dev.Content, cred.Content...)
		ifs := &yaml.Node{Kind: yaml.SequenceNode}
		for _, l := range d.Lines {
			m := mapping()
			if l.SNMPIfName != "" {
				add(m, "name", l.SNMPIfName)
			} else {
				add(m, "alias", l.SNMPIfAlias)
			}
			add(m, "line", l.CircuitID)
			ifs.Content = append(ifs.Content, m)
		}
		dev.Content = append(dev.Content, scalar("interfaces"), ifs)
		byTarget.Content = append(byTarget.Content, scalar(e.SNMPAddress), dev)
		probe.Targets = append(probe.Targets, e.SNMPAddress)
	}
	opts := mapping()
	add(opts, "only_mapped", "true")
	opts.Content[len(opts.Content)-1].Tag = "!!bool"
	opts.Content = append(opts.Content, scalar("devices"), byTarget)
	// Round-trip through text so the check sees what the agent will read.
	text, err := yaml.Marshal(opts)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, err
	}
	if _, err := snmp.DecodeOptions("derived snmp probe", doc.Content[0]); err != nil {
		return nil, fmt.Errorf("derived snmp probe refused by the probe's rules:\n%w", err)
	}
	probe.Options = opts
	return probe, nil
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func add(m *yaml.Node, k, v string) { m.Content = append(m.Content, scalar(k), scalar(v)) }
