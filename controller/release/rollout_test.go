package release

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func fleet(n int, version string) []Agent {
	out := make([]Agent, n)
	for i := range out {
		out[i] = Agent{ID: fmt.Sprintf("cpe-%02d", i), Version: version}
	}
	return out
}

func set(group []Agent, ids []string, f func(*Agent)) {
	for i := range group {
		if slices.Contains(ids, group[i].ID) {
			f(&group[i])
		}
	}
}

func TestStepCanaryThenAll(t *testing.T) {
	r := Rollout{Name: "spring", Version: "v2", CanaryPercent: 10, MaxFailures: 2, Soak: time.Minute}
	group := fleet(20, "v1")
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	p, st := Step(r, group, State{}, t0)
	if p.Stage != Canary || len(p.Canaries) != 2 || len(p.Desired) != 2 {
		t.Fatalf("first step: stage %s, canaries %v, desired %v", p.Stage, p.Canaries, p.Desired)
	}
	for _, id := range p.Canaries {
		if p.Desired[id] != "v2" {
			t.Fatalf("canary %s not offered v2: %v", id, p.Desired)
		}
	}
	canaries := p.Canaries
	// The pick is stable: the same agents on every step.
	if p2, _ := Step(r, group, st, t0.Add(time.Second)); !slices.Equal(p2.Canaries, canaries) {
		t.Fatalf("canaries moved: %v then %v", canaries, p2.Canaries)
	}

	set(group, canaries, func(a *Agent) { a.Version = "v2" })
	p, st = Step(r, group, st, t0.Add(10*time.Second))
	if p.Stage != Canary || len(p.Desired) != 2 {
		t.Fatalf("canaries up, soak not over: stage %s, desired %d", p.Stage, len(p.Desired))
	}
	p, st = Step(r, group, st, t0.Add(10*time.Second+time.Minute))
	if p.Stage != All || len(p.Desired) != 20 {
		t.Fatalf("after soak: stage %s, desired %d", p.Stage, len(p.Desired))
	}
	// All is kept once reached, even when a canary goes back.
	set(group, canaries[:1], func(a *Agent) { a.Version = "v1" })
	if p, _ = Step(r, group, st, t0.Add(2*time.Minute)); p.Stage != All {
		t.Fatalf("left All: %s", p.Stage)
	}
}

func TestStepPausesOnFailures(t *testing.T) {
	r := Rollout{Name: "spring", Version: "v2", CanaryPercent: 50, MaxFailures: 1}
	group := fleet(4, "v1")
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	p, st := Step(r, group, State{}, t0)
	canaries := p.Canaries
	set(group, canaries[:1], func(a *Agent) { a.Version = "v2" })
	set(group, canaries[1:], func(a *Agent) { a.Failed = []string{"v2"} })

	p, st = Step(r, group, st, t0.Add(time.Hour))
	if p.Stage != Paused || !slices.Equal(p.Failed, canaries[1:]) {
		t.Fatalf("stage %s failed %v, want paused with %v", p.Stage, p.Failed, canaries[1:])
	}
	// Only the agent already running v2 keeps it; nobody new gets it.
	if len(p.Desired) != 1 || p.Desired[canaries[0]] != "v2" {
		t.Fatalf("paused desired = %v", p.Desired)
	}
	// The failed agent leaves the group: still paused.
	rest := slices.DeleteFunc(slices.Clone(group), func(a Agent) bool { return len(a.Failed) > 0 })
	if p, _ = Step(r, rest, st, t0.Add(2*time.Hour)); p.Stage != Paused {
		t.Fatalf("resumed by itself: %s", p.Stage)
	}
}

func TestStepHundredPercentAndOneAgent(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	r := Rollout{Name: "all", Version: "v2", CanaryPercent: 100}
	if p, _ := Step(r, fleet(3, "v1"), State{}, t0); p.Stage != Canary || len(p.Desired) != 3 {
		t.Fatalf("100%%: %s %v", p.Stage, p.Desired)
	}
	r.CanaryPercent = 1
	if p, _ := Step(r, fleet(1, "v1"), State{}, t0); len(p.Canaries) != 1 {
		t.Fatalf("one agent, 1%%: canaries %v", p.Canaries)
	}
}

func TestMember(t *testing.T) {
	r := Rollout{Agents: []string{"pop-1"}, SiteKinds: []string{"hotspot"}, Tiers: []string{"gold"}}
	for _, c := range []struct {
		a    Agent
		want bool
	}{
		{Agent{ID: "pop-1"}, true},
		{Agent{ID: "x", SiteKind: "hotspot"}, true},
		{Agent{ID: "x", SiteKind: "cpe", Tier: "gold"}, true},
		{Agent{ID: "x", SiteKind: "cpe", Tier: "silver"}, false},
		{Agent{ID: "x"}, false},
	} {
		if got := r.Member(c.a); got != c.want {
			t.Errorf("Member(%+v) = %v", c.a, got)
		}
	}
	if !(Rollout{}).Member(Agent{ID: "any"}) {
		t.Error("an empty group must hold every agent")
	}
}
