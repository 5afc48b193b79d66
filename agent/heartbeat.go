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
// while disconnected is not queued.
func (a *Agent) heartbeats(ctx context.Context, nc *nats.Conn) {
	subject := "vantage.heartbeat." + a.cfg.AgentID
	t := time.NewTicker(a.cfg.HeartbeatInterval)
	defer t.Stop()
	send := func() {
		// st.Queued is the spool's Depth with spool.dir, the memory
		// queue's size without.
		st := a.Stats()
		hb := result.Heartbeat{Agent: a.cfg.AgentID, Site: a.cfg.Site.ID, Version: a.version, Time: a.clock.Now(),
			UptimeS: a.clock.Now().Sub(a.started).Seconds(), SpoolDepth: st.Queued,
			ResultsSent: st.Published, ResultsDropped: st.Dropped, Probes: len(a.jobs)}
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
		}
	}
}
