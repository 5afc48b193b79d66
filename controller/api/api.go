// Package api serves the controller's REST API for line health under
// /api/v1/: customers, lines with their state and availability figures,
// and incidents.
// Responses are JSON; bad input is a 4xx with {"error": "...", "field":
// "..."} naming the query parameter or path element at fault (DESIGN.md).
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/internal/serve"
)

// Source is what the API reads; *linehealth.Monitor implements it.
type Source interface {
	Customers(ctx context.Context, after string, limit int) ([]linehealth.CustomerView, error)
	Lines(ctx context.Context, after string, limit int) ([]linehealth.LineView, error)
	Line(ctx context.Context, id string) (linehealth.LineDetail, error)
	Incidents(ctx context.Context, state string, before int64, limit int) ([]linehealth.IncidentSummary, error)
	Incident(ctx context.Context, id int64) (linehealth.IncidentDetail, error)
}

// DefaultLimit and MaxLimit bound list pages: 50,000 lines are read in
// pages by keyset (?after=LAST_ID), never in one response.
const (
	DefaultLimit = 1000
	MaxLimit     = 1000
)

// Register adds the routes to mux; scope may be nil (everything visible).
func Register(mux *http.ServeMux, src Source, log *slog.Logger, scope Scope) {
	h := &handlers{src: src, log: log, scope: scope}
	mux.HandleFunc("GET /api/v1/customers", h.customers)
	mux.HandleFunc("GET /api/v1/lines", h.lines)
	mux.HandleFunc("GET /api/v1/lines/{id}", h.line)
	mux.HandleFunc("GET /api/v1/incidents", h.incidents)
	mux.HandleFunc("GET /api/v1/incidents/{id}", h.incident)
}

type handlers struct {
	src   Source
	log   *slog.Logger
	scope Scope
}

// apiError is the error body of DESIGN.md.
type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func bad(w http.ResponseWriter, code int, field, msg string) {
	serve.JSON(w, code, apiError{Error: msg, Field: field})
}

// fail answers a Source error: 404 for unknown ids, else 500 (logged once,
// here, with the request; the client gets no internals).
func (h *handlers) fail(w http.ResponseWriter, r *http.Request, field string, err error) {
	if errors.Is(err, linehealth.ErrNotFound) {
		bad(w, http.StatusNotFound, field, err.Error())
		return
	}
	h.log.Error("api request failed", "path", r.URL.Path, "err", err)
	bad(w, http.StatusInternalServerError, "", "internal error")
}

func limit(w http.ResponseWriter, r *http.Request) (int, bool) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return DefaultLimit, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		bad(w, http.StatusBadRequest, "limit", "limit must be a whole number from 1 to "+strconv.Itoa(MaxLimit))
		return 0, false
	}
	return n, true
}

func (h *handlers) customers(w http.ResponseWriter, r *http.Request) {
	n, ok := limit(w, r)
	if !ok {
		return
	}
	views, err := h.src.Customers(r.Context(), r.URL.Query().Get("after"), n)
	if err != nil {
		h.fail(w, r, "", err)
		return
	}
	canSee := h.canSee(r)
	out := views[:0:0]
	for _, v := range views {
		if canSee(v.ID) {
			out = append(out, v)
		}
	}
	serve.JSON(w, http.StatusOK, map[string]any{"customers": out})
}

func (h *handlers) lines(w http.ResponseWriter, r *http.Request) {
	n, ok := limit(w, r)
	if !ok {
		return
	}
	views, err := h.src.Lines(r.Context(), r.URL.Query().Get("after"), n)
	if err != nil {
		h.fail(w, r, "", err)
		return
	}
	serve.JSON(w, http.StatusOK, map[string]any{"lines": visibleLines(views, h.canSee(r))})
}

func (h *handlers) line(w http.ResponseWriter, r *http.Request) {
	d, err := h.src.Line(r.Context(), r.PathValue("id"))
	if err == nil && !h.canSee(r)(d.Customer) {
		err = linehealth.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, "id", err)
		return
	}
	serve.JSON(w, http.StatusOK, d)
}

func (h *handlers) incidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	switch state {
	case "", "open", "closed":
	default:
		bad(w, http.StatusBadRequest, "state", "state must be open or closed")
		return
	}
	var before int64
	if s := q.Get("before"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 1 {
			bad(w, http.StatusBadRequest, "before", "before must be an incident id")
			return
		}
		before = v
	}
	n, ok := limit(w, r)
	if !ok {
		return
	}
	list, err := h.src.Incidents(r.Context(), state, before, n)
	if err != nil {
		h.fail(w, r, "", err)
		return
	}
	canSee := h.canSee(r)
	shown := list[:0:0]
	for _, in := range list {
		if cs, ok := visibleCustomers(in.Customers, canSee); ok || h.scope == nil {
			if h.scope != nil {
				in.Customers = cs
			}
			shown = append(shown, in)
		}
	}
	serve.JSON(w, http.StatusOK, map[string]any{"incidents": shown})
}

func (h *handlers) incident(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		bad(w, http.StatusBadRequest, "id", "incident id must be a positive whole number")
		return
	}
	d, err := h.src.Incident(r.Context(), id)
	if err == nil && h.scope != nil {
		var ok bool
		if d, ok = trimIncident(d, h.canSee(r)); !ok {
			err = linehealth.ErrNotFound
		}
	}
	if err != nil {
		h.fail(w, r, "id", err)
		return
	}
	serve.JSON(w, http.StatusOK, d)
}
