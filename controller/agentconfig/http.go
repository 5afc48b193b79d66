package agentconfig

import (
	"errors"
	"net/http"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/internal/serve"
	"github.com/vantage-net/vantage/probes/result"
)

// View is GET /api/v1/agents/{id}/config: what the bucket holds for the
// agent and what the agent last said about it. Connection settings stay in
// the agent's local file; the SNMP credentials a derived config carries
// (and HTTP headers) are redacted from Config (Redact).
type View struct {
	Agent    string `json:"agent"`
	Revision uint64 `json:"revision"`
	// Config is the stored config with its secrets replaced by <redacted>.
	Config string `json:"config"`
	// Status is the agent's last report (nil before its first): compare
	// its running revision with Revision to see whether it has caught up.
	Status *remote.Status `json:"status,omitempty"`
}

// Handler serves View for the path's {id}. Authentication is the caller's.
func Handler(js jetstream.JetStream, statuses *StatusWatcher) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !result.ValidAgentID(id) {
			serve.JSON(w, http.StatusBadRequest, map[string]string{"error": "not an agent id", "field": "id"})
			return
		}
		data, rev, err := Get(r.Context(), js, id)
		switch {
		case errors.Is(err, ErrNotFound):
			serve.JSON(w, http.StatusNotFound, map[string]string{"error": "no remote config for agent " + id, "field": "id"})
			return
		case err != nil:
			serve.JSON(w, http.StatusServiceUnavailable, map[string]string{"error": "agent config bucket unreachable"})
			return
		}
		v := View{Agent: id, Revision: rev, Config: Redact(data)}
		if st, ok := statuses.Last(id); ok {
			v.Status = &st
		}
		serve.JSON(w, http.StatusOK, v)
	})
}
