package agentconfig

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/internal/loglimit"
	"github.com/vantage-net/vantage/internal/releasesig"
	"github.com/vantage-net/vantage/probes/result"
)

// StatusWatcher keeps the last config status each agent reported, for the
// API and the agent registry.
type StatusWatcher struct {
	log  *slog.Logger
	logs *loglimit.Limiter // per agent: statuses are the agent's to send at any rate
	sub  *nats.Subscription
	mu   sync.Mutex
	last map[string]remote.Status
}

// NewStatusWatcher subscribes to every agent's status subject.
func NewStatusWatcher(nc *nats.Conn, log *slog.Logger) (*StatusWatcher, error) {
	w := &StatusWatcher{log: log, logs: loglimit.New(time.Now, time.Minute, 5), last: map[string]remote.Status{}}
	sub, err := nc.Subscribe(remote.StatusSubject("*"), w.receive)
	if err != nil {
		return nil, err
	}
	w.sub = sub
	return w, nil
}

// receive records a status under the agent id of its subject: the server
// lets an agent publish only on its own subject, so the subject, not the
// payload, says who spoke. The error text is the agent's: it is cut to
// result.MaxErrorBytes and cleaned before it is logged, kept or served,
// and one agent's statuses are logged at most a few times a minute.
func (w *StatusWatcher) receive(m *nats.Msg) {
	agent := strings.TrimPrefix(m.Subject, remote.StatusSubject(""))
	if !result.ValidAgentID(agent) {
		w.logs.Warn(w.log, "invalid-subject", "config status ignored: subject names no valid agent id",
			"subject", result.CleanText(m.Subject, 256, false))
		return
	}
	var st remote.Status
	if err := json.Unmarshal(m.Data, &st); err != nil || st.Agent != agent {
		w.logs.Warn(w.log, agent, "config status ignored: malformed or for another agent", "agent", agent, "err", err)
		return
	}
	st.Error = result.CleanText(st.Error, result.MaxErrorBytes, true)
	if st.Update != nil {
		u := cleanUpdate(*st.Update)
		st.Update = &u
	}
	if !st.Applied {
		w.logs.Warn(w.log, agent, "agent refused its config; it keeps running the previous one",
			"agent", agent, "revision", st.Revision, "running", st.Running, "reason", st.Error)
	}
	w.mu.Lock()
	w.last[agent] = st
	w.mu.Unlock()
}

// Last returns the last status agentID reported.
func (w *StatusWatcher) Last(agentID string) (remote.Status, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	st, ok := w.last[agentID]
	return st, ok
}

// All returns the last status of every agent heard from.
func (w *StatusWatcher) All() map[string]remote.Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]remote.Status, len(w.last))
	for k, v := range w.last {
		out[k] = v
	}
	return out
}

// Close unsubscribes.
func (w *StatusWatcher) Close() error { return w.sub.Unsubscribe() }

// updateStates are the states an agent's updater reports (agent/update).
var updateStates = []string{"idle", "downloading", "restarting", "trial", "committed", "refused", "rolled_back"}

// cleanUpdate bounds what an agent says about its updater before the
// controller keeps, serves or plans with it: names that are no release
// names are dropped, the error is cleaned like a config error, and at most
// 32 failed versions are kept. (An agent can still claim a version failed:
// that counts once toward its rollout's max_failures, as a real failure
// would.)
func cleanUpdate(u remote.UpdateStatus) remote.UpdateStatus {
	name := func(s string) string {
		if releasesig.ValidName(s) {
			return s
		}
		return ""
	}
	out := remote.UpdateStatus{State: "unknown", Version: name(u.Version), Target: name(u.Target), OS: name(u.OS), Arch: name(u.Arch),
		Error: result.CleanText(u.Error, result.MaxErrorBytes, true)}
	if slices.Contains(updateStates, u.State) {
		out.State = u.State
	}
	for _, v := range u.Failed {
		if len(out.Failed) < 32 && releasesig.ValidName(v) && !slices.Contains(out.Failed, v) {
			out.Failed = append(out.Failed, v)
		}
	}
	return out
}
