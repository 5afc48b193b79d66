package registry

import (
	"encoding/json"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/vantage-net/vantage/probes/result"
)

// SubjectPrefix is the heartbeat subject without the agent id.
const SubjectPrefix = "vantage.heartbeat."

// Subscribe listens to every agent's heartbeats with core NATS (the agent
// publishes them that way: a stale heartbeat is worth nothing, so none is
// queued or replayed). Unsubscribe or drain the subscription to stop.
func (r *Registry) Subscribe(nc *nats.Conn) (*nats.Subscription, error) {
	return nc.Subscribe(SubjectPrefix+">", func(m *nats.Msg) {
		r.HandleMessage(m.Subject, m.Data)
	})
}

// HandleMessage decodes one heartbeat message and observes it at the
// controller's current time. A message whose subject is not a single valid
// agent id, whose payload is not a heartbeat, or whose payload names another
// agent than its subject is dropped and counted (logged at debug level: a
// misbehaving agent heartbeats every few seconds).
func (r *Registry) HandleMessage(subject string, data []byte) {
	now := r.opts.Clock.Now()
	id := strings.TrimPrefix(subject, SubjectPrefix)
	var hb result.Heartbeat
	reason := ""
	switch {
	case id == subject || !result.ValidAgentID(id):
		reason = "subject is not vantage.heartbeat.<agent_id>"
	case json.Unmarshal(data, &hb) != nil:
		reason = "payload is not a heartbeat"
	case hb.Agent != "" && hb.Agent != id:
		reason = "payload names another agent than the subject"
	}
	if reason != "" {
		r.m.heartbeats.WithLabelValues("invalid").Inc()
		r.log.Debug("heartbeat dropped", "subject", subject, "reason", reason)
		return
	}
	r.Observe(id, hb, now)
}
