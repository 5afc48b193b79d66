package agentconfig

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/controller/inventory"
)

// LinesProbe is the name of the derived ping probe; extra probes may not
// use it.
const LinesProbe = "lines"

// Profiles are how the derived probes run.
type Profiles struct {
	Ping PingProfile
	SNMP SNMPProfile
	// Tiers maps customer id to tier, for confirmation (confirm.go).
	Tiers map[string]string
}

// PingProfile is how a managed agent pings its lines.
type PingProfile struct {
	Interval, Timeout time.Duration
	Count             int
	// PacketInterval is the gap between a round's requests; 0 leaves the
	// agent's default.
	PacketInterval time.Duration
	// Confirm is the probe's confirmation probing (confirm.go).
	Confirm ConfirmProfile
}

// The derived document, in agent.yaml's format. Field order is fixed and
// lines come sorted from the inventory, so the same inventory always gives
// the same bytes and an unchanged agent is never republished.
type derived struct {
	AgentID string `yaml:"agent_id"`
	// Site is nil for an agent the inventory names only at an element: the
	// agent keeps its local file's site.
	Site   *derivedSite `yaml:"site,omitempty"`
	Probes []any        `yaml:"probes"`
}

type derivedSite struct {
	ID  string   `yaml:"id"`
	Lat *float64 `yaml:"lat,omitempty"`
	Lon *float64 `yaml:"lon,omitempty"`
}

type derivedProbe struct {
	Name     string          `yaml:"name"`
	Type     string          `yaml:"type"`
	Interval string          `yaml:"interval"`
	Timeout  string          `yaml:"timeout,omitempty"`
	Options  map[string]any  `yaml:"options"`
	Confirm  *derivedConfirm `yaml:"confirm,omitempty"`
	Targets  []derivedTarget `yaml:"targets"`
}

type derivedTarget struct {
	Address  string            `yaml:"address"`
	Labels   map[string]string `yaml:"labels"`
	Priority int               `yaml:"priority,omitempty"`
}

// Derive builds a's remote config: one ping probe over the probe addresses
// of its lines and the watch addresses of the lines it watches from their
// far end (lineTargets), labelled with line, customer and site so results land on
// the right line; one snmp probe over the SNMP devices it polls, each with
// its profile's credentials and its lines' interfaces; then the probes of
// extra (a YAML document with a probes list; nil for none).
func Derive(a inventory.Assignment, profiles Profiles, extra []byte) ([]byte, error) {
	p := profiles.Ping
	doc := derived{AgentID: a.Agent, Probes: []any{}}
	if a.Site.ID != "" {
		doc.Site = &derivedSite{ID: a.Site.ID, Lat: a.Site.Lat, Lon: a.Site.Lon}
	}
	if len(a.Lines)+len(a.Watches) > 0 {
		probe := derivedProbe{Name: LinesProbe, Type: "ping", Interval: p.Interval.String(),
			Options: map[string]any{"count": p.Count}}
		if p.PacketInterval > 0 {
			probe.Options["packet_interval"] = p.PacketInterval.String()
		}
		if p.Timeout > 0 {
			probe.Timeout = p.Timeout.String()
		}
		targets, err := lineTargets(a)
		if err != nil {
			return nil, err
		}
		probe.Targets = targets
		applyConfirm(&probe, a, p.Confirm, profiles.Tiers)
		doc.Probes = append(doc.Probes, probe)
	}
	if len(a.Devices) > 0 {
		probe, err := deriveSNMP(a.Devices, profiles.SNMP)
		if err != nil {
			return nil, err
		}
		doc.Probes = append(doc.Probes, probe)
	}
	if len(extra) > 0 {
		var x struct {
			Probes []yaml.Node `yaml:"probes"`
		}
		if err := yaml.Unmarshal(extra, &x); err != nil {
			return nil, fmt.Errorf("extra probes: %w", err)
		}
		for i := range x.Probes {
			var named struct {
				Name string `yaml:"name"`
			}
			_ = x.Probes[i].Decode(&named)
			if named.Name == LinesProbe || named.Name == SNMPProbe && len(a.Devices) > 0 {
				return nil, fmt.Errorf("extra probes: line %d: probes[%d].name: %q is the derived probe's name", x.Probes[i].Line, i, named.Name)
			}
			if err := checkNoCredentials(&x.Probes[i], i); err != nil {
				return nil, err
			}
			doc.Probes = append(doc.Probes, &x.Probes[i])
		}
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	from := "site " + a.Site.ID
	if a.Site.ID == "" {
		from = "elements naming agent " + a.Agent
	}
	header := fmt.Sprintf("# Derived by vantage-controller from the inventory (%s); edits here are overwritten.\n", from)
	return append([]byte(header), out...), nil
}

// lineTargets lists the derived ping probe's targets: the probe address of
// every line starting at a's site, then the watch address of every line a
// watches from its far end; one probe for all, however many (the ping
// engine shares one socket among them: a PoP agent pings thousands of
// customer ends in one probe). Two lines with one address would be one
// series measured twice, which the agent refuses (agent/config), so that
// is an error naming both lines rather than a config the agent rejects.
func lineTargets(a inventory.Assignment) ([]derivedTarget, error) {
	targets := make([]derivedTarget, 0, len(a.Lines)+len(a.Watches))
	owner := make(map[string]string, len(a.Lines)+len(a.Watches))
	add := func(addr string, l inventory.Line, field string) error {
		if prev, dup := owner[addr]; dup {
			return fmt.Errorf("agent %s: line %s: %s %s is already the target of line %s", a.Agent, l.CircuitID, field, addr, prev)
		}
		owner[addr] = l.CircuitID
		labels := map[string]string{"line": l.CircuitID, "customer": l.CustomerID}
		if a.Site.ID != "" { // else the agent's own site applies
			labels["site"] = a.Site.ID
		}
		targets = append(targets, derivedTarget{Address: addr, Labels: labels})
		return nil
	}
	for _, l := range a.Lines {
		if err := add(l.ProbeAddress, l, "probe_address"); err != nil {
			return nil, err
		}
	}
	for _, l := range a.Watches {
		if err := add(l.WatchAddress, l, "watch_address"); err != nil {
			return nil, err
		}
	}
	return targets, nil
}
