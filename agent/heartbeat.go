package agent

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/vantage-net/vantage/probes/result"
)

// heartbeats publishes the agent's liveness on vantage.heartbeat.<agent_id>
// with core NATS: a heartbeat is only worth anything while fresh, so one lost
// while disconnected is not queued. Site and interval come from the running
// config, which a remote config may change.
func (a *Agent) heartbeats(ctx context.Context, nc *nats.Conn) {
	subject := "vantage.heartbeat." + a.cfg.AgentID
	cur, _ := a.running()
	every := cur.HeartbeatInterval
	t := time.NewTimer(every) // wall time, as the controller's offline timeout is
	defer t.Stop()
	send := func() {
		// st.Queued is the spool's Depth with spool.dir, the memory
		// queue's size without.
		st := a.Stats()
		cur, rev := a.running()
		every = cur.HeartbeatInterval
		hb := result.Heartbeat{Agent: a.cfg.AgentID, Site: cur.Site.ID, Version: a.version, Time: a.clock.Now(),
			UptimeS: a.clock.Now().Sub(a.started).Seconds(), SpoolDepth: st.Queued,
			ResultsSent: st.Published, ResultsDropped: st.Dropped, Probes: a.jobCount(),
			ConfigRevision: rev, IntervalS: every.Seconds()}
		data, _ := json.Marshal(hb)
		if nc.IsConnected() {
			_ = nc.Publish(subject, data)
		}
	}
	send()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			send()
			// A release whose download failed for a passing reason
			// (network, controller restarting) is retried here.
			a.offerRelease(ctx)
			t.Reset(every)
		}
	}
}
