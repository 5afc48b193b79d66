package registry

import (
	"context"
	"fmt"
	"time"
)

// An agent's site is the inventory's word, not the agent's: a heartbeat
// is written by an untrusted edge box, and a stolen agent claiming another
// customer's site would put its `agent` points (and its offline periods)
// under that site on every dashboard. The heartbeat's site field is only
// compared with the inventory's: a different claim is counted and logged
// (rate-limited per agent), never stored or written.

// refreshSites re-reads the inventory's agent → site map and gives every
// known agent its site (stored at the next Evaluate when it changed).
func (r *Registry) refreshSites(ctx context.Context, now time.Time) error {
	if r.opts.Sites == nil {
		return nil
	}
	sites, err := r.opts.Sites.AgentSites(ctx)
	if err != nil {
		return fmt.Errorf("registry: agent sites: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sites, r.sitesRead = sites, now
	for id, e := range r.agents {
		if e.Site != sites[id] {
			e.Site, e.dirty = sites[id], true
		}
	}
	return nil
}

func (r *Registry) sitesReadAt() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sitesRead
}

// checkSiteClaim counts and logs a heartbeat's site claim the inventory
// does not back. An empty claim says nothing and is fine. The caller
// holds mu.
func (r *Registry) checkSiteClaim(id, claimed string) {
	if claimed == "" || claimed == r.sites[id] {
		return
	}
	r.m.siteClaims.Inc()
	r.logs.Warn(r.log, id, "heartbeat claims a site the inventory does not give this agent; ignored",
		"agent", id, "claimed_site", claimed, "inventory_site", r.sites[id])
}
