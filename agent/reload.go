package agent

import (
	"context"
	"errors"
	mrand "math/rand"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/probes/probe"
)

// Reload trade-off: a changed probe is stopped (its running rounds finish)
// before its new version starts, so for up to one probe timeout it has no
// rounds: never two rounds of one target at once, which probers rely on.
// Unchanged probes are not touched. New probers are built before anything
// stops, so a probe that cannot be built refuses the whole config and the
// old one keeps running unchanged.

var errStopping = errors.New("agent is not running")

// apply makes c, remote revision rev, the running config.
func (a *Agent) apply(c *config.Config, rev uint64) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	if a.runCtx == nil || a.runCtx.Err() != nil {
		return errStopping
	}
	next, fresh, err := a.buildProbes(c, a.runs)
	if err != nil {
		return err
	}
	var gone []*probeRun
	for name, r := range a.runs {
		if next[name] != r {
			gone = append(gone, r)
		}
	}
	stopProbes(gone)
	for _, r := range fresh {
		a.startProbe(a.runCtx, r, mrand.New(mrand.NewSource(a.rand.Int63())))
	}
	a.mu.Lock()
	a.cur, a.rev, a.runs = c, rev, next
	a.mu.Unlock()
	a.m.reloads.Inc()
	a.m.configRev.Set(float64(rev))
	a.log.Info("probes reloaded", "revision", rev, "kept", len(next)-len(fresh), "started", len(fresh), "stopped", len(gone))
	a.offerRelease(a.runCtx)
	return nil
}

// startAll starts every probe of the initial set under ctx, which later
// reloads also use.
func (a *Agent) startAll(ctx context.Context) {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	a.runCtx = ctx
	for _, r := range a.runs {
		a.startProbe(ctx, r, mrand.New(mrand.NewSource(a.rand.Int63())))
	}
}

// stopAll stops every probe and waits for running rounds.
func (a *Agent) stopAll() {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	rs := make([]*probeRun, 0, len(a.runs))
	for _, r := range a.runs {
		rs = append(rs, r)
	}
	stopProbes(rs)
	a.mu.Lock()
	a.runs = nil
	a.mu.Unlock()
}

// running returns the config running and its remote revision (0: the local
// file).
func (a *Agent) running() (*config.Config, uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cur, a.rev
}

// Revision is the remote config revision running (0: the local file).
func (a *Agent) Revision() uint64 {
	_, rev := a.running()
	return rev
}

// jobCount is how many (probe, target) jobs are scheduled.
func (a *Agent) jobCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, r := range a.runs {
		n += len(r.jobs)
	}
	return n
}

// currentProbers lists the running probers (for trap lookups).
func (a *Agent) currentProbers() []probe.Prober {
	a.mu.Lock()
	defer a.mu.Unlock()
	ps := make([]probe.Prober, 0, len(a.runs))
	for _, r := range a.runs {
		ps = append(ps, r.probers...)
	}
	return ps
}
