package agentauth

import (
	"context"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// recheckRounds is how many polls an agent whose credential changed stays
// on the kick list. A connect whose database check passed just before the
// revocation registers its user name a moment later; looking again on the
// next polls catches it.
const recheckRounds = 3

// Enforce disconnects live connections of agents whose credential was
// revoked or replaced, polling the store every interval (default 2s) until
// ctx ends. Revocation by the CLI happens in another process, so polling is
// how the running controller learns of it; new connects are refused by
// Check at once, this only cuts connections made before.
//
// Cost: one indexed read of the valid credentials per poll (10,000 agents:
// a few ms), and a connz lookup only for agents that changed.
func (g *Guard) Enforce(ctx context.Context, srv *server.Server, interval time.Duration) {
	if interval <= 0 {
		interval = 2 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var prev map[string]string
	pending := map[string]int{} // agent id → polls left to re-check
	for {
		cur, err := g.store.valid(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			// Transient (database busy); the next poll retries.
			g.log.Warn("revocation check failed", "err", err)
		case err != nil:
		case prev == nil:
			g.sweep(srv, cur) // connections made before Enforce started
			prev = cur
		default:
			for id, key := range prev {
				if cur[id] != key {
					pending[id] = recheckRounds
				}
			}
			for id, left := range pending {
				// A revoked agent is kicked on every re-check; a re-keyed
				// one only once, or its new connection would be cut too.
				if _, ok := cur[id]; !ok || left == recheckRounds {
					g.kick(srv, id)
				}
				if pending[id] = left - 1; pending[id] <= 0 {
					delete(pending, id)
				}
			}
			prev = cur
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep disconnects every agent connection whose agent has no valid
// credential.
func (g *Guard) sweep(srv *server.Server, valid map[string]string) {
	for _, ci := range g.conns(srv, "") {
		if u := ci.AuthorizedUser; u != "" && u != ControllerUser {
			if _, ok := valid[u]; !ok {
				g.disconnect(srv, u, ci.Cid)
			}
		}
	}
}

// kick disconnects every connection of agentID. After a key change that
// includes one already made with the new key; it simply reconnects.
func (g *Guard) kick(srv *server.Server, agentID string) {
	for _, ci := range g.conns(srv, agentID) {
		g.disconnect(srv, agentID, ci.Cid)
	}
}

func (g *Guard) conns(srv *server.Server, user string) []*server.ConnInfo {
	cz, err := srv.Connz(&server.ConnzOptions{Username: true, User: user, State: server.ConnOpen, Limit: 1 << 30})
	if err != nil {
		g.log.Warn("list NATS connections", "err", err)
		return nil
	}
	return cz.Conns
}

func (g *Guard) disconnect(srv *server.Server, agentID string, cid uint64) {
	if err := srv.DisconnectClientByID(cid); err == nil {
		g.log.Info("disconnected agent with revoked credential", "agent", agentID, "cid", cid)
	}
}
