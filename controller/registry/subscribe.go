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
// agent than its subject is dropped and counted (invalid); one with a
// number out of range (result.Heartbeat.Check: an interval of 1e12 s, a
// negative spool depth) is dropped and counted (out_of_range). Either is
// logged at most a few times a minute per agent: a misbehaving agent
// heartbeats every few seconds. The heartbeat's text (version, site) is
// cut and cleaned before anything logs or stores it.
func (r *Registry) HandleMessage(subject string, data []byte) {
	now := r.opts.Clock.Now()
	id := strings.TrimPrefix(subject, SubjectPrefix)
	var hb result.Heartbeat
	reason, outcome := "", "invalid"
	switch {
	case id == subject || !result.ValidAgentID(id):
		reason, id = "subject is not vantage.heartbeat.<agent_id>", "invalid-subject"
	case json.Unmarshal(data, &hb) != nil:
		reason = "payload is not a heartbeat"
	case hb.Agent != "" && hb.Agent != id:
		reason = "payload names another agent than the subject"
	default:
		if err := hb.Check(); err != nil {
			reason, outcome = err.Error(), "out_of_range"
		}
	}
	if reason != "" {
		r.m.heartbeats.WithLabelValues(outcome).Inc()
		r.logs.Warn(r.log, id, "heartbeat dropped", "agent", id, "reason", reason)
		return
	}
	r.Observe(id, hb, now)
}
