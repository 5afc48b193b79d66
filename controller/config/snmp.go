package config

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/yamlstrict"
	"github.com/vantage-net/vantage/probes/snmp"
)

// SNMPPolls is how network-side agents poll the SNMP devices the inventory
// names (elements with snmp_address), and with which credentials.
//
//	remote_config:
//	  snmp:
//	    interval: 30s
//	    profiles:
//	      pe-v3: {version: "3", v3: {user: vantage, level: authPriv, auth_protocol: SHA, auth_password: "…", priv_protocol: AES, priv_password: "…"}}
//	      legacy: {version: 2c, community: "…"}
//	      hotspot-vendor-a: {version: 2c, community: "…", scalars: [{name: rsrp, oid: 1.3.6.1.4.1.99999.1.1.0}]}
type SNMPPolls struct {
	// Interval between polls of one device (default 30s). SNMP oper status
	// is a trustworthy down signal, but a poll every few seconds loads the
	// router's CPU; traps carry the fast news.
	Interval time.Duration `yaml:"interval"`
	// Timeout bounds one poll (default: the agent's, 80% of the interval).
	Timeout time.Duration `yaml:"timeout"`
	// Profiles are credentials by name, referenced by the inventory's
	// elements (snmp_profile). Each is an snmp probe's device settings
	// (README, "Probe types and options": version, community, v3,
	// request_timeout, retries, max_repetitions) and the scalars to read
	// from every device of the profile: a vendor's radio OIDs (RSRP, SINR,
	// RSSI), named as coverage.radio_metrics maps them, are written once
	// here and reach each hotspot agent through its derived config. The
	// credentials are secrets: they live here, never in the inventory, and
	// the API redacts them from the agent configs it shows.
	Profiles map[string]yaml.Node `yaml:"profiles"`
}

// profileKeys are what a profile may set: how to reach and authenticate
// to a device, and the scalars a device of its make answers (a vendor's
// MIB). Which interfaces carry which lines comes from the inventory.
var profileKeys = []string{"version", "community", "v3", "request_timeout", "retries", "max_repetitions", "scalars"}

func (c *Config) setSNMPDefaults() {
	if c.RemoteConfig.SNMP.Interval == 0 {
		c.RemoteConfig.SNMP.Interval = 30 * time.Second
	}
}

// validateSNMP checks the interval and decodes every profile with the snmp
// probe's own rules, so a profile the agent would refuse is refused here,
// at the profile's line, and never published.
func (c *Config) validateSNMP(file string, bad func(field, format string, args ...any)) yamlstrict.Errors {
	s := c.RemoteConfig.SNMP
	if s.Interval < time.Second {
		bad("remote_config.snmp.interval", "%s is shorter than 1s", s.Interval)
	}
	if s.Timeout < 0 || s.Timeout > s.Interval {
		bad("remote_config.snmp.timeout", "%s is not between 0 and the interval %s", s.Timeout, s.Interval)
	}
	names := make([]string, 0, len(s.Profiles))
	for n := range s.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs yamlstrict.Errors
	for _, name := range names {
		node := s.Profiles[name]
		field := fmt.Sprintf("remote_config.snmp.profiles[%q]", name)
		if node.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Sprintf("%s:%d: %s: must be a mapping (version, community or v3, …)", file, node.Line, field))
			continue
		}
		ok := true
		for i := 0; i+1 < len(node.Content); i += 2 {
			if k := node.Content[i]; !contains(profileKeys, k.Value) {
				errs = append(errs, fmt.Sprintf("%s:%d: %s.%s: not a profile key (want %s; interfaces come from the inventory)",
					file, k.Line, field, k.Value, strings.Join(profileKeys, ", ")))
				ok = false
			}
		}
		if !ok {
			continue
		}
		o, err := snmp.DecodeOptions(file, &node)
		if err != nil {
			for _, m := range strings.Split(err.Error(), "\n") {
				errs = append(errs, strings.Replace(m, ": options.", ": "+field+".", 1))
			}
			continue
		}
		errs = append(errs, c.checkRadioScalars(file, field, &node, o.Scalars)...)
	}
	return errs
}

// checkRadioScalars refuses a profile scalar that coverage reads as a
// radio quantity (coverage.radio_metrics) but that is polled as a
// counter: the agent would report its rate of change, not the level.
func (c *Config) checkRadioScalars(file, field string, node *yaml.Node, scalars []snmp.Scalar) yamlstrict.Errors {
	var seq *yaml.Node
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value == "scalars" {
			seq = node.Content[i+1]
		}
	}
	var errs yamlstrict.Errors
	for i, sc := range scalars {
		q, radio := c.Coverage.RadioMetrics[sc.Name]
		if !radio || sc.Type != "counter" {
			continue
		}
		line := node.Line
		if seq != nil && i < len(seq.Content) {
			line = seq.Content[i].Line
		}
		errs = append(errs, fmt.Sprintf("%s:%d: %s.scalars[%d].type: counter, but coverage.radio_metrics reads %s as %s, a level: use gauge",
			file, line, field, i, sc.Name, q))
	}
	return errs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
