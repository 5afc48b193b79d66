package config

import "time"

// PingConfirm is the confirmation probing of the derived line probe (the
// agent's probes[].confirm, README "Confirmation probing"): a failed line
// is re-probed every Interval until it answers or has failed k rounds,
// then for Watch until it answers. The rounds that confirm a line down are
// the detector's k of its customer's tier (detector.k, detector.tiers),
// and each line's claim on the agent's confirm_budget is its tier
// (ab_group first), so the agent and the detector agree on "down".
//
// With confirmation on and no remote_config.ping.timeout, the derived
// probe's round timeout is Interval too: a failed round is known that soon
// after its slot, so confirmation starts at once (with the agent's default
// timeout, 80% of a 1-s interval, a line would be down 1.2 s after its
// first failed slot instead of 0.6 s, and most 1-s drops would fail only
// one round). Interval is then the one round-trip bound of the lines.
type PingConfirm struct {
	// Enabled turns confirmation on for derived probes (default true).
	Enabled *bool `yaml:"enabled"`
	// Interval between confirmation rounds (default 200ms); not longer
	// than remote_config.ping.interval. It bounds a confirmation round's
	// wait for a reply, so it must exceed the lines' round-trip time.
	Interval time.Duration `yaml:"interval"`
	// Watch: how long a line confirmed down is still probed every
	// Interval until it answers (default 60s, the flap threshold), so a
	// flap's end is timed to within Interval.
	Watch *time.Duration `yaml:"watch"`
}

func (c *Config) setPingConfirmDefaults() {
	pc := &c.RemoteConfig.Ping.Confirm
	if pc.Enabled == nil {
		on := true
		pc.Enabled = &on
	}
	if pc.Interval == 0 {
		pc.Interval = min(200*time.Millisecond, c.RemoteConfig.Ping.Interval)
	}
	if *pc.Enabled && c.RemoteConfig.Ping.Timeout == 0 {
		c.RemoteConfig.Ping.Timeout = pc.Interval
	}
	if pc.Watch == nil {
		w := 60 * time.Second
		pc.Watch = &w
	}
}

func (c *Config) validatePingConfirm(bad func(field, format string, args ...any)) {
	p := c.RemoteConfig.Ping
	switch {
	case p.Confirm.Interval < 10*time.Millisecond:
		bad("remote_config.ping.confirm.interval", "%s is shorter than 10ms", p.Confirm.Interval)
	case p.Confirm.Interval > p.Interval:
		bad("remote_config.ping.confirm.interval", "%s is longer than remote_config.ping.interval %s: confirmation would be slower than the probe", p.Confirm.Interval, p.Interval)
	}
	if *p.Confirm.Enabled && p.Count > 1 && time.Duration(p.Count-1)*p.PacketInterval >= p.Confirm.Interval {
		bad("remote_config.ping.packet_interval", "%d requests %s apart do not fit in confirm.interval %s (a confirmation round's timeout)",
			p.Count, p.PacketInterval, p.Confirm.Interval)
	}
	if w := *p.Confirm.Watch; w < 0 || w > time.Hour {
		bad("remote_config.ping.confirm.watch", "%s is outside 0..1h", w)
	}
}
