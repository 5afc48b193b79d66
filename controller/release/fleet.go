package release

import (
	"context"
	"log/slog"
	"net/url"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/controller/agentconfig"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/internal/clock"
)

// FleetOptions configure a Fleet.
type FleetOptions struct {
	Store *Store
	// BaseURL is the controller's address as agents reach it.
	BaseURL  string
	Rollouts []Rollout
	// Version is the version an agent's last heartbeat reported.
	Version func(agentID string) (string, bool)
	// Update is the updater status an agent last reported (its target
	// and failed versions); false before the agent sent one.
	Update func(agentID string) (remote.UpdateStatus, bool)
	// Tier is a customer's tier ("" when unknown).
	Tier   func(ctx context.Context, customerID string) string
	Clock  clock.Clock
	Logger *slog.Logger
	// Registry takes vantage_controller_rollout_* metrics; nil for none.
	Registry prometheus.Registerer
}

// Fleet runs the rollouts over the managed agents: the config syncer asks it
// on every refresh which release each agent should run
// (agentconfig.ReleasePlanner).
//
// Its state (the furthest stage each rollout reached, when its canaries came
// up) is in memory: after a controller restart a rollout recomputes it from
// the agents' reports, so a paused rollout pauses again at once (agents
// remember failed versions) and one past its canaries waits one soak.
type Fleet struct {
	o      FleetOptions
	paused *prometheus.GaugeVec

	mu      sync.Mutex
	states  map[string]State
	plans   map[string]Plan
	desired map[string]string // agent id → version offered
	warned  map[string]bool   // rollout, version, target already logged as missing
}

// NewFleet returns a Fleet.
func NewFleet(o FleetOptions) *Fleet {
	f := &Fleet{o: o, states: map[string]State{}, plans: map[string]Plan{}, desired: map[string]string{}, warned: map[string]bool{},
		paused: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "vantage_controller_rollout_paused",
			Help: "1 while a rollout is paused because agents reported its version failed."}, []string{"rollout"})}
	if o.Registry != nil {
		o.Registry.MustRegister(f.paused)
	}
	return f
}

// Plan implements agentconfig.ReleasePlanner.
func (f *Fleet) Plan(ctx context.Context, as []inventory.Assignment) map[string]agentconfig.Release {
	groups := make([][]Agent, len(f.o.Rollouts))
	targets := map[string]remote.UpdateStatus{}
	for _, a := range as {
		st, ok := f.o.Update(a.Agent)
		if !ok || st.OS == "" {
			continue // no updater status yet: target unknown, nothing to offer
		}
		targets[a.Agent] = st
		view := Agent{ID: a.Agent, SiteKind: a.Site.Kind, Failed: st.Failed, Version: st.Version}
		if v, ok := f.o.Version(a.Agent); ok {
			view.Version = v
		}
		if a.Site.CustomerID != "" && f.o.Tier != nil {
			view.Tier = f.o.Tier(ctx, a.Site.CustomerID)
		}
		for i, r := range f.o.Rollouts {
			if r.Member(view) {
				groups[i] = append(groups[i], view)
				break
			}
		}
	}
	now := f.o.Clock.Now()
	out := map[string]agentconfig.Release{}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.desired = map[string]string{}
	for i, r := range f.o.Rollouts {
		p, st := Step(r, groups[i], f.states[r.Name], now)
		if old := f.plans[r.Name]; old.Stage != p.Stage {
			f.o.Logger.Info("rollout stage", "rollout", r.Name, "version", r.Version, "stage", p.Stage,
				"canaries", p.Canaries, "done", len(p.Done), "failed", p.Failed)
		}
		f.states[r.Name], f.plans[r.Name] = st, p
		f.paused.WithLabelValues(r.Name).Set(map[bool]float64{true: 1}[p.Stage == Paused])
		for id, v := range p.Desired {
			t := targets[id]
			rel, err := f.o.Store.Get(t.OS, t.Arch, v)
			if err != nil {
				// Once per rollout, version and target, not per agent and
				// refresh: 5,000 boxes of an arch nobody built would flood.
				if k := r.Name + "\x00" + v + "\x00" + t.OS + "/" + t.Arch; !f.warned[k] {
					f.warned[k] = true
					f.o.Logger.Warn("rollout: no release for a target in the group; its agents are not offered the version",
						"rollout", r.Name, "os", t.OS, "arch", t.Arch, "version", v, "first_agent", id, "err", err)
				}
				continue
			}
			f.desired[id] = v
			out[id] = agentconfig.Release{Version: v, URL: f.o.BaseURL + "/releases/" + url.PathEscape(t.OS) + "/" +
				url.PathEscape(t.Arch) + "/" + url.PathEscape(v), SHA256: rel.SHA256, Size: rel.Size, Signature: rel.Signature}
		}
	}
	return out
}

// Desired is the version agentID is offered ("" for none).
func (f *Fleet) Desired(agentID string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.desired[agentID]
}

// Plans returns each rollout's last plan, by name.
func (f *Fleet) Plans() map[string]Plan {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]Plan, len(f.plans))
	for k, v := range f.plans {
		out[k] = v
	}
	return out
}
