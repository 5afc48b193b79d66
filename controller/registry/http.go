package registry

import (
	"fmt"
	"net/http"

	"github.com/vantage-net/vantage/internal/serve"
)

// Register adds GET /api/v1/agents and GET /api/v1/agents/{id} to mux.
// Authentication is the caller's: wrap mux (or these routes) with
// controller/apiauth.
func (r *Registry) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/agents", r.serveList)
	mux.HandleFunc("GET /api/v1/agents/{id}", r.serveOne)
}

// Handler serves the two routes of Register on a mux of its own.
func (r *Registry) Handler() http.Handler {
	mux := http.NewServeMux()
	r.Register(mux)
	return mux
}

// apiError is the error body of DESIGN.md.
type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// serveList answers {"agents": [...]} ordered by id; ?state=online|offline
// filters. The whole fleet fits in one response: 10,000 agents are ~4 MB.
func (r *Registry) serveList(w http.ResponseWriter, req *http.Request) {
	state := State(req.URL.Query().Get("state"))
	switch state {
	case "", Online, Offline:
	default:
		serve.JSON(w, http.StatusBadRequest, apiError{Error: "state must be online or offline", Field: "state"})
		return
	}
	all := r.List()
	out := all[:0]
	for _, a := range all {
		if state == "" || a.State == state {
			out = append(out, a)
		}
	}
	serve.JSON(w, http.StatusOK, map[string]any{"agents": out})
}

func (r *Registry) serveOne(w http.ResponseWriter, req *http.Request) {
	id := req.PathValue("id")
	a, ok := r.Get(id)
	if !ok {
		serve.JSON(w, http.StatusNotFound, apiError{Error: fmt.Sprintf("agent %q not found", id), Field: "id"})
		return
	}
	serve.JSON(w, http.StatusOK, a)
}
