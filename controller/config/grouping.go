package config

import (
	"slices"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
)

// GroupRule says when lines below one kind of element have a common cause,
// so their failures are one incident rooted at the element (README: "Line
// health", incidents). Zero means "not set": the default.
type GroupRule struct {
	// Spread is the longest time between the first and the last of the
	// lines going down. Default: SpreadIntervals probe intervals of those
	// lines. At most detector.group_window.
	Spread time.Duration `yaml:"spread"`
	// SpreadIntervals is the spread in probe intervals of the lines when
	// Spread is not set (default 2).
	SpreadIntervals float64 `yaml:"spread_intervals"`
	// Share is the least fraction of the element's watched lines that must
	// go down within the spread, in 0–1 (default 0.5).
	Share float64 `yaml:"share"`
	// MinLines is the least number of such lines (default 2).
	MinLines int `yaml:"min_lines"`
}

// GroupRules returns the grouping rules by element kind for
// linehealth.Options.GroupRules.
func (d Detector) GroupRules() map[string]incident.Rule {
	if len(d.Grouping) == 0 {
		return nil
	}
	out := make(map[string]incident.Rule, len(d.Grouping))
	for kind, r := range d.Grouping {
		out[kind] = incident.Rule{Spread: r.Spread, SpreadIntervals: r.SpreadIntervals, Share: r.Share, MinLines: r.MinLines}
	}
	return out
}

// validateGrouping refuses rules that contradict each other or the group
// window, each at its own line.
func (c *Config) validateGrouping(bad func(field, format string, args ...any)) {
	d := c.Detector
	kinds := make([]string, 0, len(d.Grouping))
	for k := range d.Grouping {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		r, at := d.Grouping[k], "detector.grouping."+k
		if !slices.Contains(inventory.ElementKinds, k) {
			bad(at, "unknown element kind (want one of %s)", strings.Join(inventory.ElementKinds, ", "))
			continue
		}
		switch {
		case r.Spread < 0:
			bad(at+".spread", "%s must not be negative", r.Spread)
		case r.Spread > d.GroupWindow:
			bad(at+".spread", "%s is longer than detector.group_window (%s): lines that far apart would never be grouped", r.Spread, d.GroupWindow)
		}
		if r.SpreadIntervals < 0 {
			bad(at+".spread_intervals", "%g must not be negative", r.SpreadIntervals)
		}
		if r.Spread != 0 && r.SpreadIntervals != 0 {
			bad(at+".spread_intervals", "give spread or spread_intervals, not both")
		}
		if r.Share < 0 || r.Share > 1 {
			bad(at+".share", "%g is outside 0–1 (a fraction of the element's watched lines)", r.Share)
		}
		if r.MinLines < 0 {
			bad(at+".min_lines", "%d must not be negative", r.MinLines)
		}
	}
}
