package config

import "time"

// RemoteConfig makes the controller the source of managed agents' probe
// sets: each site that names an agent gets a ping probe over the probe
// addresses of the lines starting there, published to the agents' config
// bucket whenever the inventory changes it (controller/agentconfig).
type RemoteConfig struct {
	// Enabled turns derivation and publishing on (default off: agents run
	// their local probes until the inventory says who watches what).
	Enabled bool `yaml:"enabled"`
	// Refresh is how often the inventory is re-read (default 30s): an
	// import reaches the agents within it.
	Refresh time.Duration `yaml:"refresh"`
	// Ping is the derived line probe.
	Ping PingProfile `yaml:"ping"`
	// ExtraDir, if set, holds DIR/<agent_id>.yaml files whose probes list
	// is appended to the derived probe (HTTP and DNS tests at a hotspot).
	ExtraDir string `yaml:"extra_dir"`
	// SNMP is the derived snmp probe of network-side agents and the
	// devices' credentials (profiles).
	SNMP SNMPPolls `yaml:"snmp"`
}

// PingProfile is how managed agents ping their lines.
type PingProfile struct {
	// Interval between rounds per line (default 1s): with k = 3 a line
	// is down about 3 s after it fails.
	Interval time.Duration `yaml:"interval"`
	// Timeout bounds a round (default: confirm.interval with confirmation
	// on, see confirm.go; else the agent's, 80% of the interval).
	Timeout time.Duration `yaml:"timeout"`
	// Count is echo requests per round (default 3): a round fails only
	// when none is answered, so random loss of 1% fails a round with
	// p = 10⁻⁶ instead of 10⁻².
	Count int `yaml:"count"`
	// PacketInterval is the gap between a round's requests (default 10ms):
	// a cut must outlast two intervals plus (count−1) gaps to be sure of
	// failing two rounds and counting as a flap.
	PacketInterval time.Duration `yaml:"packet_interval"`
	// Confirm re-probes a failed line at a short interval (confirm.go).
	Confirm PingConfirm `yaml:"confirm"`
}

func (c *Config) setRemoteConfigDefaults() {
	r := &c.RemoteConfig
	if r.Refresh == 0 {
		r.Refresh = 30 * time.Second
	}
	if r.Ping.Interval == 0 {
		r.Ping.Interval = time.Second
	}
	if r.Ping.Count == 0 {
		r.Ping.Count = 3
	}
	if r.Ping.PacketInterval == 0 {
		r.Ping.PacketInterval = 10 * time.Millisecond
	}
	c.setSNMPDefaults()
	c.setPingConfirmDefaults()
}

func (c *Config) validateRemoteConfig(bad func(field, format string, args ...any)) {
	r := c.RemoteConfig
	if r.Refresh < time.Second {
		bad("remote_config.refresh", "%s is shorter than 1s", r.Refresh)
	}
	if r.Ping.Interval < 100*time.Millisecond {
		bad("remote_config.ping.interval", "%s is shorter than 100ms", r.Ping.Interval)
	}
	if r.Ping.Timeout < 0 || r.Ping.Timeout > r.Ping.Interval {
		bad("remote_config.ping.timeout", "%s is not between 0 and the interval %s", r.Ping.Timeout, r.Ping.Interval)
	}
	if r.Ping.Count < 1 || r.Ping.Count > 100 {
		bad("remote_config.ping.count", "%d is outside 1..100", r.Ping.Count)
	}
	if r.Ping.PacketInterval < time.Millisecond {
		bad("remote_config.ping.packet_interval", "%s is shorter than 1ms", r.Ping.PacketInterval)
	}
	c.validatePingConfirm(bad)
}
