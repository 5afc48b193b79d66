package controller

import (
	"context"
	"net/http"
	"strings"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/controller/agentconfig"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/registry"
	"github.com/vantage-net/vantage/controller/release"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/internal/releasesig"
	"github.com/vantage-net/vantage/internal/serve"
)

// openReleases opens the release store of the releases block (nil without).
func openReleases(c *Controller) error {
	rc := c.cfg.Releases
	if rc == nil {
		return nil
	}
	key, err := releasesig.ParsePublicKey(rc.PublicKey) // validated at load
	if err != nil {
		return err
	}
	c.releases = release.NewStore(rc.Dir, key)
	return nil
}

// startRollouts hands the config syncer the fleet planner, which reads
// agents' versions from the registry and their updater states from the
// config statuses.
func (c *Controller) startRollouts(statuses *agentconfig.StatusWatcher) {
	if c.releases == nil || c.configSync == nil {
		return
	}
	rc := c.cfg.Releases
	rollouts := make([]release.Rollout, len(rc.Rollouts))
	for i, r := range rc.Rollouts {
		rollouts[i] = release.Rollout{Name: r.Name, Version: r.Version, Agents: r.Agents, SiteKinds: r.SiteKinds,
			Tiers: r.Tiers, CanaryPercent: r.CanaryPercent, MaxFailures: r.MaxFailures, Soak: r.Soak}
	}
	inv := inventory.NewSQLStore(c.db)
	c.fleet = release.NewFleet(release.FleetOptions{Store: c.releases, BaseURL: strings.TrimSuffix(rc.BaseURL, "/"),
		Rollouts: rollouts, Clock: clock.Real{}, Logger: c.log.With("component", "release"), Registry: c.reg,
		Version: func(id string) (string, bool) {
			a, ok := c.agents.Get(id)
			return a.Version, ok && a.Version != ""
		},
		Update: func(id string) (remote.UpdateStatus, bool) {
			st, ok := statuses.Last(id)
			if !ok || st.Update == nil {
				return remote.UpdateStatus{}, false
			}
			return *st.Update, true
		},
		Tier: func(ctx context.Context, customerID string) string {
			cu, err := inv.Customer(ctx, customerID)
			if err != nil {
				return ""
			}
			return string(cu.Tier)
		},
	})
	c.configSync.SetReleases(c.fleet)
}

// fleetAgent is one entry of GET /api/v1/agents: the registry's view with
// the version the rollouts want and the agent's last updater report.
type fleetAgent struct {
	registry.Agent
	// DesiredVersion is the release the agent is offered ("" for none).
	DesiredVersion string `json:"desired_version,omitempty"`
	// Update is the agent's last self-update report (state, target,
	// error, failed versions); absent before it sent one.
	Update *remote.UpdateStatus `json:"update,omitempty"`
}

// serveAgents is GET /api/v1/agents with desired versions and update
// states; ?state=online|offline filters as the registry does.
func (c *Controller) serveAgents(statuses *agentconfig.StatusWatcher) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		state := registry.State(r.URL.Query().Get("state"))
		switch state {
		case "", registry.Online, registry.Offline:
		default:
			serve.JSON(w, http.StatusBadRequest, map[string]string{"error": "state must be online or offline", "field": "state"})
			return
		}
		out := []fleetAgent{}
		for _, a := range c.agents.List() {
			if state != "" && a.State != state {
				continue
			}
			fa := fleetAgent{Agent: a}
			if c.fleet != nil {
				fa.DesiredVersion = c.fleet.Desired(a.ID)
			}
			if st, ok := statuses.Last(a.ID); ok {
				fa.Update = st.Update
			}
			out = append(out, fa)
		}
		serve.JSON(w, http.StatusOK, map[string]any{"agents": out})
	}
}
