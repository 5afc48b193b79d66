package config

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/yamlstrict"
	"github.com/vantage-net/vantage/probes/result"
)

// Confirm is a probe's confirmation probing (agent/schedule): when a
// target's round fails (nothing came back), the agent probes it again every
// Interval until it answers or is confirmed down, instead of waiting for
// the next slot. Those rounds carry their own event times and the result
// field confirm (1, 2, … within the sequence). Absent: no confirmation.
//
//	confirm: {interval: 200ms, rounds: 3, watch: 60s, priority: 0}
type Confirm struct {
	// Interval between confirmation rounds of one target (default 200ms),
	// at most the probe's interval; a confirmation round's timeout is the
	// shorter of the probe's timeout and this.
	Interval time.Duration `yaml:"interval"`
	// Rounds is how many consecutive failed rounds, the failed slot round
	// included, confirm a target down (default 3, the controller detector's
	// k): at most Rounds-1 confirmation rounds per failure. 0 turns
	// confirmation off.
	Rounds *int `yaml:"rounds"`
	// Watch is how long a target confirmed down is still probed every
	// Interval until it answers (default 60s, the detector's flap
	// threshold), so a drop's end is timed to within Interval; 0 stops at
	// "confirmed down".
	Watch *time.Duration `yaml:"watch"`
	// Priority is the targets' default claim on the agent's
	// confirm_budget: higher first (0–9; the controller derives it from
	// the customer's tier). A target's own priority overrides it.
	Priority int `yaml:"priority"`

	line  int
	lines map[string]int // each key's line
}

// Confirmation defaults.
const (
	DefaultConfirmInterval = 200 * time.Millisecond
	DefaultConfirmRounds   = 3
	DefaultConfirmWatch    = 60 * time.Second
	// DefaultConfirmBudget is confirm_budget's default: confirmation rounds
	// per second for the whole agent.
	DefaultConfirmBudget = 100
	// MaxPriority is the highest confirmation priority.
	MaxPriority = 9
)

// UnmarshalYAML records where the block starts, for messages.
func (c *Confirm) UnmarshalYAML(n *yaml.Node) error {
	type plain Confirm
	if err := n.Decode((*plain)(c)); err != nil {
		return err
	}
	c.line, c.lines = n.Line, map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		c.lines[n.Content[i].Value] = n.Content[i].Line
	}
	return nil
}

func (c *Confirm) setDefaults() {
	if c.Interval == 0 {
		c.Interval = DefaultConfirmInterval
	}
	if c.Rounds == nil {
		r := DefaultConfirmRounds
		c.Rounds = &r
	}
	if c.Watch == nil {
		w := DefaultConfirmWatch
		c.Watch = &w
	}
}

// measurer is the optional part of TypeInfo that names a type's
// measurement, so confirm is refused on types whose results cannot carry
// the confirm mark (snmp).
type measurer interface {
	Measurement(typ string) string
}

// validateConfirm checks probe i's confirm block and its targets'
// priorities.
func (c *Config) validateConfirm(i int, types TypeInfo) yamlstrict.Errors {
	p := &c.Probes[i]
	var errs yamlstrict.Errors
	bad := func(line int, field, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: probes[%d].%s: %s", c.at(line), i, field, fmt.Sprintf(format, args...)))
	}
	for j, t := range p.Targets {
		if t.Priority != nil && (*t.Priority < 0 || *t.Priority > MaxPriority) {
			bad(t.line, fmt.Sprintf("targets[%d].priority", j), "%d is outside 0..%d", *t.Priority, MaxPriority)
		}
	}
	cf := p.Confirm
	if cf == nil {
		return errs
	}
	line := func(key string) int {
		if l, ok := cf.lines[key]; ok {
			return l
		}
		return cf.line
	}
	if m, ok := types.(measurer); ok {
		if meas := m.Measurement(p.Type); meas != "" {
			if _, has := result.Schemas[meas].Fields["confirm"]; !has {
				bad(cf.line, "confirm", "a %s probe's results cannot be marked as confirmation rounds (ping, dial and http can)", p.Type)
			}
		}
	}
	switch {
	case cf.Interval < 10*time.Millisecond:
		bad(line("interval"), "confirm.interval", "%s is shorter than 10ms", cf.Interval)
	case p.Interval > 0 && cf.Interval > p.Interval:
		bad(line("interval"), "confirm.interval", "%s is longer than the probe's interval %s: confirmation would be slower than the slots", cf.Interval, p.Interval)
	}
	if *cf.Rounds < 0 || *cf.Rounds > 100 {
		bad(line("rounds"), "confirm.rounds", "%d is outside 0..100", *cf.Rounds)
	}
	if *cf.Watch < 0 || *cf.Watch > time.Hour {
		bad(line("watch"), "confirm.watch", "%s is outside 0..1h", *cf.Watch)
	}
	if cf.Priority < 0 || cf.Priority > MaxPriority {
		bad(line("priority"), "confirm.priority", "%d is outside 0..%d", cf.Priority, MaxPriority)
	}
	return errs
}

func (c *Config) validateConfirmBudget() yamlstrict.Errors {
	if c.ConfirmBudget != nil && (*c.ConfirmBudget < 0 || *c.ConfirmBudget > 100_000) {
		return yamlstrict.Errors{fmt.Sprintf("%s: confirm_budget: %d is outside 0..100000 rounds per second",
			c.at(c.lineOf("confirm_budget")), *c.ConfirmBudget)}
	}
	return nil
}
