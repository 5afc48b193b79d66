package config

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Coverage configures weak-coverage evaluation of hotspot sites and grid
// cells (controller/coverage). Radio metrics come from the hotspot
// routers' SNMP scalars (the agent's snmp probe `scalars`, with the
// vendor's OIDs), throughput from http probes' downloads.
//
//	coverage:
//	  window: 15m
//	  weak_score: 50
//	  weak_after: 10m
//	  radio_metrics: {rsrp: rsrp_dbm, sinr: sinr_db, rssi: rssi_dbm}
//	  thresholds:
//	    rsrp_dbm: {weak: -110, good: -90}
//	    throughput_kbps: {weak: 2000, good: 20000}
type Coverage struct {
	// Window is how far back each evaluation looks (default 15m): the
	// score is over the samples whose event time lies in it.
	Window time.Duration `yaml:"window"`
	// Interval is how often sites and cells are evaluated and their
	// coverage points written (default 1m).
	Interval time.Duration `yaml:"interval"`
	// WeakScore: a cell (or site) scoring below it is weak (0..100,
	// default 50).
	WeakScore float64 `yaml:"weak_score"`
	// WeakAfter is how long a cell must stay below weak_score before a
	// weak-coverage event opens (default 10m), so one bad minute is no event.
	WeakAfter time.Duration `yaml:"weak_after"`
	// MinSamples is the fewest samples of a quantity in the window for it
	// to count in the score (default 3).
	MinSamples int `yaml:"min_samples"`
	// Retention is how long cell samples are kept for coverage and the
	// network comparison (default 7 days).
	Retention time.Duration `yaml:"retention"`
	// RadioMetrics maps an snmp probe scalar's name (the metric tag) to the
	// quantity it measures: rsrp_dbm, sinr_db or rssi_dbm. Default
	// {rsrp: rsrp_dbm, sinr: sinr_db, rssi: rssi_dbm}.
	RadioMetrics map[string]string `yaml:"radio_metrics"`
	// Thresholds per quantity (rsrp_dbm, sinr_db, rssi_dbm,
	// throughput_kbps): at or below weak a quantity scores 0, at or above
	// good 100, linearly between. Unset quantities keep their defaults.
	Thresholds map[string]Band `yaml:"thresholds"`
}

// Band is a quantity's weak and good values, in its unit (dBm, dB, kbit/s).
type Band struct {
	Weak *float64 `yaml:"weak"`
	Good *float64 `yaml:"good"`
}

// CoverageQuantities are what a coverage score is made of, with their
// defaults: RSRP -110 dBm is the usual edge of LTE service, -90 good; SINR
// 0 dB barely decodes, 15 dB is good; RSSI -95 / -70 dBm; 2 Mbit/s is the
// least a hotspot user calls working, 20 Mbit/s good.
var CoverageQuantities = map[string][2]float64{
	"rsrp_dbm":        {-110, -90},
	"sinr_db":         {0, 15},
	"rssi_dbm":        {-95, -70},
	"throughput_kbps": {2000, 20000},
}

func (c *Config) setCoverageDefaults() {
	v := &c.Coverage
	if v.Window == 0 {
		v.Window = 15 * time.Minute
	}
	if v.Interval == 0 {
		v.Interval = time.Minute
	}
	if v.WeakScore == 0 {
		v.WeakScore = 50
	}
	if v.WeakAfter == 0 {
		v.WeakAfter = 10 * time.Minute
	}
	if v.MinSamples == 0 {
		v.MinSamples = 3
	}
	if v.Retention == 0 {
		v.Retention = 7 * 24 * time.Hour
	}
	if v.RadioMetrics == nil {
		v.RadioMetrics = map[string]string{"rsrp": "rsrp_dbm", "sinr": "sinr_db", "rssi": "rssi_dbm"}
	}
}

// Band returns the weak and good values of a quantity, defaults applied.
func (v Coverage) Band(quantity string) (weak, good float64) {
	d := CoverageQuantities[quantity]
	weak, good = d[0], d[1]
	if b, ok := v.Thresholds[quantity]; ok {
		if b.Weak != nil {
			weak = *b.Weak
		}
		if b.Good != nil {
			good = *b.Good
		}
	}
	return weak, good
}

func (c *Config) validateCoverage(bad func(field, format string, args ...any)) {
	v := c.Coverage
	if v.Window < time.Minute || v.Window > 7*24*time.Hour {
		bad("coverage.window", "%s is outside 1m..168h", v.Window)
	}
	if v.Interval < time.Second || v.Interval > v.Window {
		bad("coverage.interval", "%s is not between 1s and the window %s", v.Interval, v.Window)
	}
	if !(v.WeakScore > 0 && v.WeakScore <= 100) {
		bad("coverage.weak_score", "%g is outside 0..100 (exclusive of 0)", v.WeakScore)
	}
	if v.WeakAfter < 0 || v.WeakAfter > 7*24*time.Hour {
		bad("coverage.weak_after", "%s is outside 0..168h", v.WeakAfter)
	}
	if v.MinSamples < 1 || v.MinSamples > 10000 {
		bad("coverage.min_samples", "%d is outside 1..10000", v.MinSamples)
	}
	if v.Retention < v.Window || v.Retention > 400*24*time.Hour {
		bad("coverage.retention", "%s is not between the window %s and 400 days", v.Retention, v.Window)
	}
	radio := []string{"rsrp_dbm", "sinr_db", "rssi_dbm"}
	for _, name := range sortedNames(v.RadioMetrics) {
		if !slices.Contains(radio, v.RadioMetrics[name]) {
			bad("coverage.radio_metrics."+name, "%q is not a radio quantity (want one of %s)", v.RadioMetrics[name], strings.Join(radio, ", "))
		}
	}
	for _, q := range sortedNames(v.Thresholds) {
		if _, ok := CoverageQuantities[q]; !ok {
			bad("coverage.thresholds."+q, "unknown quantity (want one of %s)", strings.Join(sortedNames(CoverageQuantities), ", "))
			continue
		}
		b := v.Thresholds[q]
		for k, p := range map[string]*float64{"weak": b.Weak, "good": b.Good} {
			if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
				bad(fmt.Sprintf("coverage.thresholds.%s.%s", q, k), "%g is not a number", *p)
			}
		}
		weak, good := v.Band(q)
		if good <= weak {
			bad("coverage.thresholds."+q+".good", "%g is not above weak %g: a better signal must score higher", good, weak)
		}
	}
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
