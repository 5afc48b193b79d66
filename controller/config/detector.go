package config

import (
	"slices"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linestate"
)

// Detector configures line-state detection and incident grouping. Zero
// values take the defaults of controller/linestate (README: "thresholds and
// dampening"); Tiers override them per customer tier.
type Detector struct {
	Thresholds `yaml:",inline"`
	// Horizon is how late a result may arrive (a CPE agent spooling while
	// its uplink is down) and still be placed exactly; events become final
	// this long after they happen (default 15m).
	Horizon time.Duration `yaml:"horizon"`
	// GroupWindow: once an incident is rooted at a shared element, lines
	// below it that go down within this time of its start join it (default
	// 30s). It bounds every grouping spread.
	GroupWindow time.Duration `yaml:"group_window"`
	// Grouping says, per element kind, when lines below an element have a
	// common cause (grouping.go); kinds not named take the defaults.
	Grouping map[string]GroupRule `yaml:"grouping"`
	// SnapshotInterval is how often the detector's state is saved to the
	// database (default 1m; also saved at shutdown). A restart resumes from
	// it and replays the evidence committed since (the journal), so a longer
	// interval costs start-up time and journal rows, never events.
	SnapshotInterval time.Duration `yaml:"snapshot_interval"`
	// Tiers override thresholds for the lines of customers of one tier
	// (ab_group, diamond, gold, silver, standard); unset keys keep the
	// values above.
	Tiers map[string]Thresholds `yaml:"tiers"`
}

// Thresholds decide when a line is down, flapping or degraded. Zero means
// "not set": the default, or for a tier the detector-wide value.
type Thresholds struct {
	// K is how many consecutive failed probe rounds take a line down
	// (default 3).
	K int `yaml:"k"`
	// M is how many consecutive successful rounds bring it back (default 2);
	// the outage still ends at the first of them.
	M int `yaml:"m"`
	// MinFlapRounds is the shortest run of failed rounds counted as a flap
	// though it stayed below K (default 2, at most K).
	MinFlapRounds int `yaml:"min_flap_rounds"`
	// FlapThreshold: an outage shorter than this is a flap (default 60s).
	FlapThreshold time.Duration `yaml:"flap_threshold"`
	// SilenceAfter: a source quiet this long is silent; a line whose
	// sources are all silent is unknown, not down (default 30s).
	SilenceAfter time.Duration `yaml:"silence_after"`
	// AnswerGrace: on a line several agents watch, one that answered
	// within its own interval plus this keeps the line up while another
	// fails (default 500ms; at most silence_after).
	AnswerGrace time.Duration `yaml:"answer_grace"`
	// Dampening as in route-flap dampening: each flap adds Penalty (1000),
	// which halves every HalfLife (15m); above Suppress (2000) the line is
	// flapping, below Reuse (750) it is released; MaxPenalty (12000) caps it.
	Penalty    float64       `yaml:"penalty"`
	HalfLife   time.Duration `yaml:"half_life"`
	Suppress   float64       `yaml:"suppress"`
	Reuse      float64       `yaml:"reuse"`
	MaxPenalty float64       `yaml:"max_penalty"`
	// LossPct, RTTMs and JitterMs: a DegradeWindow (5m) averaging above
	// any of them is a degradation (loss default 5%, others off).
	LossPct       float64       `yaml:"loss_pct"`
	RTTMs         float64       `yaml:"rtt_ms"`
	JitterMs      float64       `yaml:"jitter_ms"`
	DegradeWindow time.Duration `yaml:"degrade_window"`
}

// apply overrides p with the thresholds that are set.
func (t Thresholds) apply(p linestate.Params) linestate.Params {
	setI := func(dst *int, v int) {
		if v != 0 {
			*dst = v
		}
	}
	setD := func(dst *time.Duration, v time.Duration) {
		if v != 0 {
			*dst = v
		}
	}
	setF := func(dst *float64, v float64) {
		if v != 0 {
			*dst = v
		}
	}
	setI(&p.FailRounds, t.K)
	setI(&p.RecoverRounds, t.M)
	setI(&p.MinFlapRounds, t.MinFlapRounds)
	if t.K != 0 && t.MinFlapRounds == 0 && p.MinFlapRounds > p.FailRounds {
		p.MinFlapRounds = p.FailRounds // k = 1: every failed round is down
	}
	setD(&p.FlapThreshold, t.FlapThreshold)
	setD(&p.SilenceAfter, t.SilenceAfter)
	setD(&p.AnswerGrace, t.AnswerGrace)
	if p.SilenceMax < p.SilenceAfter {
		p.SilenceMax = p.SilenceAfter
	}
	setF(&p.Penalty, t.Penalty)
	setD(&p.HalfLife, t.HalfLife)
	setF(&p.Suppress, t.Suppress)
	setF(&p.Reuse, t.Reuse)
	setF(&p.MaxPenalty, t.MaxPenalty)
	setF(&p.LossPct, t.LossPct)
	setF(&p.RTTMs, t.RTTMs)
	setF(&p.JitterMs, t.JitterMs)
	setD(&p.DegradeWindow, t.DegradeWindow)
	return p
}

// LineState returns the detector options the config describes: the
// default thresholds and one profile per configured tier.
func (d Detector) LineState() linestate.Options {
	def := d.Thresholds.apply(linestate.DefaultParams())
	o := linestate.Options{Horizon: d.Horizon, Default: def}
	if len(d.Tiers) > 0 {
		o.Profiles = map[string]linestate.Params{}
		for tier, t := range d.Tiers {
			o.Profiles[tier] = t.apply(def)
		}
	}
	return o
}

func (c *Config) setDetectorDefaults() {
	c.setDatabaseDefaults()
	d := &c.Detector
	if d.Horizon == 0 {
		d.Horizon = 15 * time.Minute
	}
	if d.GroupWindow == 0 {
		d.GroupWindow = 30 * time.Second
	}
	if d.SnapshotInterval == 0 {
		d.SnapshotInterval = time.Minute
	}
}

// validateDetector reports each bad detector key with its own line.
func (c *Config) validateDetector(bad func(field, format string, args ...any)) {
	d := c.Detector
	if d.Horizon < 0 || d.Horizon > 24*time.Hour {
		bad("detector.horizon", "%s is outside 0..24h", d.Horizon)
	}
	if d.GroupWindow < 0 || d.GroupWindow > time.Hour {
		bad("detector.group_window", "%s is outside 0..1h", d.GroupWindow)
	}
	if d.SnapshotInterval < time.Second {
		bad("detector.snapshot_interval", "%s is shorter than 1s", d.SnapshotInterval)
	}
	def := d.Thresholds.apply(linestate.DefaultParams())
	checkThresholds("detector", d.Thresholds, def, bad)
	tiers := make([]string, 0, len(d.Tiers))
	for tier := range d.Tiers {
		tiers = append(tiers, tier)
	}
	slices.Sort(tiers)
	for _, tier := range tiers {
		if !slices.Contains(inventory.Tiers, tier) {
			bad("detector.tiers."+tier, "unknown tier (want one of %s)", strings.Join(inventory.Tiers, ", "))
			continue
		}
		checkThresholds("detector.tiers."+tier, d.Tiers[tier], d.Tiers[tier].apply(def), bad)
	}
}

// checkThresholds names the key at fault where it can; what only the
// combination breaks is reported by linestate's own check at the block.
func checkThresholds(path string, t Thresholds, p linestate.Params, bad func(field, format string, args ...any)) {
	n := 0
	neg := func(key string, v float64) {
		if v < 0 {
			bad(path+"."+key, "%g must not be negative", v)
			n++
		}
	}
	neg("k", float64(t.K))
	neg("m", float64(t.M))
	neg("min_flap_rounds", float64(t.MinFlapRounds))
	neg("flap_threshold", float64(t.FlapThreshold))
	neg("silence_after", float64(t.SilenceAfter))
	neg("answer_grace", float64(t.AnswerGrace))
	neg("penalty", t.Penalty)
	neg("half_life", float64(t.HalfLife))
	neg("loss_pct", t.LossPct)
	neg("rtt_ms", t.RTTMs)
	neg("jitter_ms", t.JitterMs)
	if t.MinFlapRounds != 0 && t.MinFlapRounds > p.FailRounds {
		bad(path+".min_flap_rounds", "%d is more than k (%d)", t.MinFlapRounds, p.FailRounds)
		n++
	}
	if n == 0 {
		if err := p.Validate(); err != nil {
			bad(path, "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
		}
	}
}
