package agent

import (
	"context"
	"encoding/json"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/agent/update"
)

// Self-update glue: the running config's release goes to the updater, the
// agent's health signals (a result batch acknowledged, a config revision
// read) tell a new binary it works, and Stop ends Run so the caller can exec
// the binary the updater names (cmd/vantage-agent).

// offerRelease offers the running config's release, if any, to the updater.
func (a *Agent) offerRelease(ctx context.Context) {
	if a.upd == nil {
		return
	}
	cur, _ := a.running()
	if r := cur.Release; r != nil {
		a.upd.Offer(ctx, &update.Release{Version: r.Version, URL: r.URL, SHA256: r.SHA256, Size: r.Size, Signature: r.Signature})
	}
}

func (a *Agent) healthy() {
	if a.upd != nil {
		a.upd.Healthy()
	}
}

func (a *Agent) updateStatus() *remote.UpdateStatus {
	if a.upd == nil {
		return nil
	}
	st := a.upd.Status()
	return &st
}

// ReportUpdate publishes the updater's status with the running revision on
// the config status subject, where the controller reads it (the updater's
// Report hook). Before Run connected it is dropped: the first config status
// carries it.
func (a *Agent) ReportUpdate(st remote.UpdateStatus) {
	a.mu.Lock()
	nc, rev := a.nc, a.rev
	a.mu.Unlock()
	if nc == nil {
		return
	}
	data, _ := json.Marshal(remote.Status{Agent: a.cfg.AgentID, Revision: rev, Applied: true, Running: rev,
		Time: a.clock.Now(), Update: &st})
	_ = nc.Publish(remote.StatusSubject(a.cfg.AgentID), data)
}

// Stop ends Run as if its context ended: probes stop, the queue drains into
// the spool, the spool is closed. Safe before Run started and more than once.
func (a *Agent) Stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopped = true
	if a.stop != nil {
		a.stop()
	}
}
