package incident

import "time"

// Rule says when failures below one kind of element (pop, router, card,
// port, olt, olt_port) have a common cause, so the incident roots at the
// element instead of each line being its own incident.
type Rule struct {
	// Spread is the longest time between the first and the last of the
	// lines' down times. 0: SpreadIntervals × the slowest probe interval
	// among those lines.
	Spread time.Duration
	// SpreadIntervals is the spread in probe intervals when Spread is 0
	// (default 2: lines probed out of step by up to one interval, plus one
	// interval of slack for a round that straddles the cut).
	SpreadIntervals float64
	// Share is the least fraction of the element's watched lines that must
	// go down within the spread (default 0.5).
	Share float64
	// MinLines is the least number of lines (default 2): one line is never
	// an element's failure.
	MinLines int
}

// DefaultRule is the rule of an element kind the options do not name.
var DefaultRule = Rule{SpreadIntervals: 2, Share: 0.5, MinLines: 2}

// withDefaults fills the zero fields from DefaultRule.
func (r Rule) withDefaults() Rule {
	if r.SpreadIntervals <= 0 {
		r.SpreadIntervals = DefaultRule.SpreadIntervals
	}
	if r.Share <= 0 {
		r.Share = DefaultRule.Share
	}
	if r.MinLines <= 0 {
		r.MinLines = DefaultRule.MinLines
	}
	return r
}

// Element is what the inventory knows about one upstream element.
type Element struct {
	// Kind is the element's kind: the Rule that applies.
	Kind string
	// Watched is how many lines at or below the element some agent is
	// assigned to watch: the denominator of Rule.Share.
	Watched int
}

// Topology maps element ids to what the inventory knows about them. An
// element it does not name is never an incident's common cause (its
// share cannot be judged).
type Topology map[string]Element

// FallbackInterval is the probe interval assumed for a line whose interval
// is not known (no probe rounds seen yet, e.g. down from an SNMP trap): the
// default interval of the probes the controller derives.
const FallbackInterval = time.Second

// Grouping explains why an incident is rooted at a shared element. An
// incident without one is a single line's own.
type Grouping struct {
	Element string `json:"element"`
	Kind    string `json:"kind,omitempty"`
	// Lines went down within SpreadMS of each other, out of Watched lines
	// the element has.
	Lines   int `json:"lines"`
	Watched int `json:"watched"`
	// SpreadMS is the measured spread; AllowedMS the rule's.
	SpreadMS  int64 `json:"spread_ms"`
	AllowedMS int64 `json:"allowed_ms"`
	// Share is the rule's least share; MinLines its least count.
	Share    float64 `json:"share"`
	MinLines int     `json:"min_lines"`
}
