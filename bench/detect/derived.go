package main

import (
	"fmt"
	"time"

	ctrlconfig "github.com/vantage-net/vantage/controller/config"
)

// confirmProbe is how the confirming lines probe: by default exactly as
// the controller derives the line probe of a managed agent
// (controller/config remote_config.ping and its confirm block,
// controller/agentconfig), so the figures are production's; each field can
// be overridden by a flag to study another setting.
type confirmProbe struct {
	timeout time.Duration // the round timeout (derived: confirm.interval)
	count   int           // echo requests per round
	gap     time.Duration // between a round's requests (derived: 10ms)
	every   time.Duration // confirm.interval
	rounds  int           // confirm.rounds (derived: the detector's k)
	watch   time.Duration // confirm.watch
}

// derivedConfirmProbe reads the derived probe's settings from the
// controller's defaults: a controller config with remote_config unset,
// parsed as the controller parses its own. The InfluxDB URL only satisfies
// validation; nothing connects to it.
func derivedConfirmProbe() (confirmProbe, error) {
	cfg, err := ctrlconfig.Parse("derived.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage/autogen}\n"))
	if err != nil {
		return confirmProbe{}, fmt.Errorf("controller defaults: %w", err)
	}
	p := cfg.RemoteConfig.Ping
	if p.Confirm.Enabled == nil || !*p.Confirm.Enabled {
		return confirmProbe{}, fmt.Errorf("controller defaults: remote_config.ping.confirm is off; give every -confirm-* flag")
	}
	return confirmProbe{timeout: p.Timeout, count: p.Count, gap: p.PacketInterval, every: p.Confirm.Interval,
		rounds: cfg.Detector.LineState().Default.FailRounds, watch: *p.Confirm.Watch}, nil
}

// override replaces the derived settings by the flags given (non-zero) and
// checks the result as the controller checks its own: a round's requests
// must fit in its timeout.
func (p confirmProbe) override(timeout, gap, every time.Duration, rounds int) (confirmProbe, error) {
	if timeout != 0 {
		p.timeout = timeout
	}
	if gap != 0 {
		p.gap = gap
	}
	if every != 0 {
		p.every = every
		if timeout == 0 {
			p.timeout = every // as the controller derives it from confirm.interval
		}
	}
	if rounds != 0 {
		p.rounds = rounds
	}
	switch {
	case p.rounds < 1 || p.every < 10*time.Millisecond || p.timeout < 10*time.Millisecond || p.timeout > 800*time.Millisecond:
		return p, fmt.Errorf("-confirm-rounds must be at least 1, -confirm-interval at least 10ms, -confirm-timeout between 10ms and 800ms")
	case p.gap < time.Millisecond:
		return p, fmt.Errorf("-confirm-gap must be at least 1ms")
	case p.count > 1 && time.Duration(p.count-1)*p.gap >= p.timeout:
		return p, fmt.Errorf("%d echo requests %s apart do not fit in the round timeout %s (-confirm-gap, -confirm-timeout)", p.count, p.gap, p.timeout)
	}
	return p, nil
}

func (p confirmProbe) String() string {
	return fmt.Sprintf("timeout %s, %d echo requests %s apart, confirm: {interval: %s, rounds: %d, watch: %s}",
		p.timeout, p.count, p.gap, p.every, p.rounds, p.watch)
}
