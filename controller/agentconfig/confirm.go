package agentconfig

import (
	"context"
	"slices"
	"time"

	"github.com/vantage-net/vantage/controller/inventory"
)

// ConfirmProfile is the derived ping probe's confirmation probing (the
// agent's probes[].confirm; README "Confirmation probing"). The agent
// stops confirming a line once it has failed k rounds in a row, the
// detector's FailRounds for the line's tier, so both agree on "down"; and
// it spends its confirm_budget on the highest tiers first.
type ConfirmProfile struct {
	// Interval between confirmation rounds; 0 derives no confirm block.
	Interval time.Duration
	// Watch is how long a line confirmed down is still probed every
	// Interval until it answers.
	Watch time.Duration
	// K maps a tier to the detector's FailRounds for it; tiers not in it
	// use DefaultK.
	K        map[string]int
	DefaultK int
}

type derivedConfirm struct {
	Interval string `yaml:"interval"`
	Rounds   int    `yaml:"rounds"`
	Watch    string `yaml:"watch"`
}

// tierPriority is a tier's claim on an agent's confirm_budget: ab_group 4
// down to standard 0 (inventory.Tiers is highest first); unknown 0.
func tierPriority(tier string) int {
	i := slices.Index(inventory.Tiers, tier)
	if i < 0 {
		return 0
	}
	return len(inventory.Tiers) - 1 - i
}

// applyConfirm adds the confirm block to the derived ping probe and each
// target's priority. targets are lineTargets(a)'s, in its order: a's lines,
// then the lines it watches. tiers maps customer id to tier. A probe
// confirms until the highest k among its lines' tiers: a line whose tier
// has a smaller k is down for the detector a round or two earlier, which
// costs those rounds and nothing else.
func applyConfirm(p *derivedProbe, a inventory.Assignment, c ConfirmProfile, tiers map[string]string) {
	if c.Interval <= 0 {
		return
	}
	k := 0
	lines := append(slices.Clone(a.Lines), a.Watches...)
	for i, l := range lines {
		tier := tiers[l.CustomerID]
		if i < len(p.Targets) {
			p.Targets[i].Priority = tierPriority(tier)
		}
		lk, ok := c.K[tier]
		if !ok {
			lk = c.DefaultK
		}
		k = max(k, lk)
	}
	if k < 1 {
		k = max(c.DefaultK, 1)
	}
	p.Confirm = &derivedConfirm{Interval: c.Interval.String(), Rounds: k, Watch: c.Watch.String()}
}

// customerTiers maps every customer to its tier, a page at a time.
func customerTiers(ctx context.Context, inv inventory.Store) (map[string]string, error) {
	tiers := map[string]string{}
	page := inventory.Page{Limit: 1000}
	for {
		cs, err := inv.Customers(ctx, page)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			tiers[c.ID] = string(c.Tier)
		}
		if len(cs) < page.Limit {
			return tiers, nil
		}
		page.After = cs[len(cs)-1].ID
	}
}
