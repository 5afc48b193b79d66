package release

import (
	"hash/fnv"
	"slices"
	"sort"
	"time"
)

// Rollout is one desired version for one group of agents.
type Rollout struct {
	// Name identifies the rollout in logs and the API; it also seeds the
	// canary pick, so a renamed rollout picks other canaries.
	Name string
	// Version is the agent version the group should run.
	Version string
	// Group: an agent belongs when its id is in Agents, or its site's kind
	// in SiteKinds, or its site's customer tier in Tiers; all three empty
	// means every agent.
	Agents, SiteKinds, Tiers []string
	// CanaryPercent of the group (rounded up, at least one agent) updates
	// first; 100 updates everyone at once.
	CanaryPercent int
	// MaxFailures pauses the rollout when this many agents of the group
	// report the version failed (refused or rolled back).
	MaxFailures int
	// Soak is how long every canary must run the version before the rest
	// of the group gets it.
	Soak time.Duration
}

// Agent is what a rollout needs to know about one agent.
type Agent struct {
	ID       string
	SiteKind string
	Tier     string
	// Version is what the agent's last heartbeat reported.
	Version string
	// Failed lists versions the agent reported it refused or rolled back.
	Failed []string
}

// Stage is where a rollout is.
type Stage string

// The stages: canaries only, the whole group, or paused after failures
// (no agent is offered the version any more until the rollout changes).
const (
	Canary Stage = "canary"
	All    Stage = "all"
	Paused Stage = "paused"
)

// State is what a rollout remembers between plans.
type State struct {
	// CanariesUpSince is when every canary was first seen running the
	// version; zero while some are not.
	CanariesUpSince time.Time
	// Reached is the furthest stage: a rollout that reached All stays there
	// even when a new agent joins the canary set late.
	Reached Stage
}

// Plan is a rollout's decision at one moment.
type Plan struct {
	Stage Stage
	// Desired maps agent id to the version it is offered; agents of the
	// group not in it keep what they run.
	Desired map[string]string
	// Canaries, Failed and Done list agent ids (sorted): the canary set,
	// the agents that reported the version failed, those running it.
	Canaries, Failed, Done []string
}

// Member reports whether a belongs to r's group.
func (r Rollout) Member(a Agent) bool {
	if len(r.Agents) == 0 && len(r.SiteKinds) == 0 && len(r.Tiers) == 0 {
		return true
	}
	return slices.Contains(r.Agents, a.ID) || a.SiteKind != "" && slices.Contains(r.SiteKinds, a.SiteKind) ||
		a.Tier != "" && slices.Contains(r.Tiers, a.Tier)
}

// Step plans rollout r over the agents of its group at now, from the state
// the previous step returned. It is a pure function: the controller calls
// it on every config refresh with fresh heartbeats and statuses.
func Step(r Rollout, group []Agent, st State, now time.Time) (Plan, State) {
	p := Plan{Desired: map[string]string{}}
	canaries := pickCanaries(r, group)
	for _, a := range group {
		switch {
		case slices.Contains(a.Failed, r.Version):
			p.Failed = append(p.Failed, a.ID)
		case a.Version == r.Version:
			p.Done = append(p.Done, a.ID)
		}
	}
	for id := range canaries {
		p.Canaries = append(p.Canaries, id)
	}
	sort.Strings(p.Canaries)
	if r.MaxFailures > 0 && len(p.Failed) >= r.MaxFailures {
		// Paused: nobody new is offered the version; agents already
		// running it keep it (offering their old version back would be a
		// downgrade nobody asked for).
		p.Stage, st.Reached = Paused, Paused
		for _, id := range p.Done {
			p.Desired[id] = r.Version
		}
		return p, st
	}
	if st.Reached == Paused {
		// Failures cleared (e.g. agents left the group): stays paused;
		// resuming is a new rollout version or name, an operator decision.
		p.Stage = Paused
		for _, id := range p.Done {
			p.Desired[id] = r.Version
		}
		return p, st
	}
	allUp := true
	for id := range canaries {
		if !slices.Contains(p.Done, id) {
			allUp = false
		}
	}
	switch {
	case !allUp:
		st.CanariesUpSince = time.Time{}
	case st.CanariesUpSince.IsZero():
		st.CanariesUpSince = now
	}
	if st.Reached == All || allUp && now.Sub(st.CanariesUpSince) >= r.Soak {
		st.Reached, p.Stage = All, All
		for _, a := range group {
			if !slices.Contains(a.Failed, r.Version) {
				p.Desired[a.ID] = r.Version
			}
		}
		return p, st
	}
	st.Reached, p.Stage = Canary, Canary
	for id := range canaries {
		if !slices.Contains(p.Failed, id) {
			p.Desired[id] = r.Version
		}
	}
	return p, st
}

// pickCanaries takes CanaryPercent of the group (rounded up, at least one),
// ordered by a hash of the rollout name and agent id: a stable pick that
// does not favour agents by name and survives agents joining the group.
func pickCanaries(r Rollout, group []Agent) map[string]bool {
	n := (len(group)*r.CanaryPercent + 99) / 100
	if n < 1 && len(group) > 0 {
		n = 1
	}
	ids := make([]string, len(group))
	for i, a := range group {
		ids[i] = a.ID
	}
	rank := func(id string) uint64 {
		h := fnv.New64a()
		h.Write([]byte(r.Name + "\x00" + id))
		return h.Sum64()
	}
	sort.Slice(ids, func(i, j int) bool {
		ri, rj := rank(ids[i]), rank(ids[j])
		return ri < rj || ri == rj && ids[i] < ids[j]
	})
	out := make(map[string]bool, n)
	for _, id := range ids[:min(n, len(ids))] {
		out[id] = true
	}
	return out
}
