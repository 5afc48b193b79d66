package config

import (
	"slices"
	"strings"
	"time"
)

// Compare configures the comparison of networks (controller/compare):
// the same tests run over our uplink and competitors' at the same
// moments, tagged network=<name> by the agents.
//
//	compare:
//	  ours: ours
//	  min_samples: 20
type Compare struct {
	// Ours is the network tag of our own network; every other network is
	// a competitor. Required for comparisons to say ahead / behind.
	Ours string `yaml:"ours"`
	// MinSamples is the fewest samples each network needs in the period
	// before a verdict is given (default 20); with fewer the verdict is
	// insufficient.
	MinSamples int `yaml:"min_samples"`
	// Resamples is the bootstrap's number of resamples (default 2000).
	Resamples int `yaml:"resamples"`
	// Confidence is the interval's coverage (default 0.95).
	Confidence float64 `yaml:"confidence"`
	// Seed makes the bootstrap reproducible: the same samples give the
	// same interval (default 1).
	Seed uint64 `yaml:"seed"`
	// Margins are the smallest differences worth a verdict per test, in
	// the test's unit (defaults in controller/compare): a difference whose
	// interval excludes zero but that is smaller than its margin is level.
	Margins map[string]float64 `yaml:"margins"`
	// Window is the period the places ranking compares over (default 24h).
	Window time.Duration `yaml:"window"`
}

// CompareTests are the comparison tests, the `test` of /api/v1/compare.
var CompareTests = []string{"dns_ms", "dns_ok", "http_ok", "http_total_ms", "http_ttfb_ms", "ping_loss_pct", "ping_rtt_ms", "throughput_kbps"}

func (c *Config) setCompareDefaults() {
	v := &c.Compare
	if v.MinSamples == 0 {
		v.MinSamples = 20
	}
	if v.Resamples == 0 {
		v.Resamples = 2000
	}
	if v.Confidence == 0 {
		v.Confidence = 0.95
	}
	if v.Seed == 0 {
		v.Seed = 1
	}
	if v.Window == 0 {
		v.Window = 24 * time.Hour
	}
}

func (c *Config) validateCompare(bad func(field, format string, args ...any)) {
	v := c.Compare
	if v.Ours != "" && !validNetworkName(v.Ours) {
		bad("compare.ours", "%q must be letters, digits, '-' or '_' (an agent's network name)", v.Ours)
	}
	if v.MinSamples < 3 || v.MinSamples > 100000 {
		bad("compare.min_samples", "%d is outside 3..100000", v.MinSamples)
	}
	if v.Resamples < 100 || v.Resamples > 100000 {
		bad("compare.resamples", "%d is outside 100..100000", v.Resamples)
	}
	if !(v.Confidence >= 0.5 && v.Confidence < 1) {
		bad("compare.confidence", "%g is outside 0.5..1 (exclusive of 1)", v.Confidence)
	}
	if v.Window < time.Minute || v.Window > 400*24*time.Hour {
		bad("compare.window", "%s is outside 1m..400 days", v.Window)
	}
	for _, t := range sortedNames(v.Margins) {
		if !slices.Contains(CompareTests, t) {
			bad("compare.margins."+t, "unknown test (want one of %s)", strings.Join(CompareTests, ", "))
		} else if !(v.Margins[t] >= 0) {
			bad("compare.margins."+t, "%g must be a number ≥ 0", v.Margins[t])
		}
	}
}

func validNetworkName(s string) bool {
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
