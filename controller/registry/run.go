package registry

import (
	"context"
	"time"

	"github.com/vantage-net/vantage/controller/shipper"
)

// Run evaluates offline transitions and flushes points and state every
// Tick until ctx ends, then flushes once more (with a short deadline of its
// own, since ctx is already done).
func (r *Registry) Run(ctx context.Context) {
	t := r.opts.Clock.NewTimer(r.opts.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = r.Evaluate(fctx)
			cancel()
			return
		case <-t.C():
			// Errors are counted and logged inside; the next tick retries.
			_ = r.Evaluate(ctx)
			t.Reset(r.opts.Tick)
		}
	}
}

// Evaluate marks agents whose deadline passed offline, then stores changed
// agents and queues pending `agent` points for the shipper. Run calls it every Tick; tests call it
// after advancing a fake clock. The error is the first write failure; what
// failed is kept and retried on the next call.
func (r *Registry) Evaluate(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	now := r.opts.Clock.Now()
	if now.Sub(r.sitesReadAt()) >= r.opts.SiteRefresh {
		if err := r.refreshSites(ctx, now); err != nil && ctx.Err() == nil {
			r.log.Warn("agent sites not re-read from the inventory; keeping the previous ones", "err", err)
		}
	}
	r.mu.Lock()
	for _, e := range r.agents {
		if !e.announcedUp || now.Before(e.deadline) {
			continue
		}
		// The point is placed at the deadline, when the agent became
		// overdue, not at the tick that noticed: the tick's delay is ours.
		e.announcedUp = false
		r.queuePoint(e, e.deadline, 0)
		if e.State == Online {
			e.State, e.StateSince, e.dirty = Offline, e.deadline, true
			r.log.Warn("agent offline: heartbeats missed", "agent", e.ID, "site", e.Site, "last_seen", e.LastSeen, "missed", r.opts.MissedHeartbeats)
		}
	}
	r.updateGaugesLocked()
	pts := r.pending
	r.pending = nil
	rows := r.takeDirtyLocked()
	r.mu.Unlock()

	var firstErr error
	if err := r.store(ctx, rows); err != nil {
		r.m.writeErrors.WithLabelValues("database").Inc()
		r.log.Warn("agent state not stored; will retry", "agents", len(rows), "err", err)
		r.remarkDirty(rows)
		firstErr = err
	}
	if err := r.queuePoints(ctx, pts); err != nil {
		r.m.writeErrors.WithLabelValues("queue").Inc()
		r.log.Warn("agent points not queued; will retry", "points", len(pts), "err", err)
		r.putBack(pts)
		if firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// takeDirtyLocked copies the agents changed since the last store.
func (r *Registry) takeDirtyLocked() []Agent {
	var rows []Agent
	for _, e := range r.agents {
		if e.dirty {
			rows = append(rows, e.Agent)
			e.dirty = false
		}
	}
	return rows
}

// remarkDirty marks agents whose store failed for the next attempt.
func (r *Registry) remarkDirty(rows []Agent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range rows {
		if e, ok := r.agents[a.ID]; ok {
			e.dirty = true
		}
	}
}

// putBack returns unwritten points ahead of newer ones, within the bound.
func (r *Registry) putBack(pts []shipper.Point) {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := append(pts, r.pending...)
	if over := len(all) - r.opts.MaxPendingPoints; over > 0 {
		all = all[over:]
		r.m.pointsDropped.Add(float64(over))
	}
	r.pending = all
}
