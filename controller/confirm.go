package controller

import (
	"github.com/vantage-net/vantage/controller/agentconfig"
	"github.com/vantage-net/vantage/controller/config"
)

// confirmProfile is the derived ping probe's confirmation: the controller
// config's remote_config.ping.confirm, with the detector's k per tier so
// agents stop confirming where the detector calls a line down.
func confirmProfile(cfg *config.Config) agentconfig.ConfirmProfile {
	pc := cfg.RemoteConfig.Ping.Confirm
	if pc.Enabled == nil || !*pc.Enabled {
		return agentconfig.ConfirmProfile{}
	}
	ls := cfg.Detector.LineState()
	k := map[string]int{}
	for tier, p := range ls.Profiles {
		k[tier] = p.FailRounds
	}
	return agentconfig.ConfirmProfile{Interval: pc.Interval, Watch: *pc.Watch, K: k, DefaultK: ls.Default.FailRounds}
}
