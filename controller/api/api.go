// Package api serves the controller's REST API for line health under
// /api/v1/: customers, lines with their state and availability figures,
// and incidents.
// Responses are JSON; every list carries "next", the cursor of the next
// page, while more rows remain; bad input is a 4xx with {"error": "...", "field":
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

// Source is what the API reads; *linehealth.ReadModel implements it, from
// what line health committed to the database (never the detector). Each
// call takes the caller's scope and applies it before the limit; more
// reports whether rows remain after the page.
type Source interface {
	Customers(ctx context.Context, scope linehealth.Scope, after string, limit int) ([]linehealth.CustomerView, bool, error)
	Lines(ctx context.Context, scope linehealth.Scope, after string, limit int) ([]linehealth.LineView, bool, error)
	Line(ctx context.Context, scope linehealth.Scope, id string) (linehealth.LineDetail, error)
	Incidents(ctx context.Context, scope linehealth.Scope, state string, before int64, limit int) ([]linehealth.IncidentSummary, bool, error)
	Incident(ctx context.Context, scope linehealth.Scope, id int64) (linehealth.IncidentDetail, error)
}

// DefaultLimit and MaxLimit bound list pages: 50,000 lines are read in
// pages by keyset (?after=LAST_ID, or the answer's next), never in one
// response.
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

// fail answers a Source error: 404 for an id that is unknown or outside
// the caller's scope, with a body that depends on neither the id nor the
// reason (what, e.g. "line", names the route), so no answer tells which
// ids exist; else 500 (logged once, here, with the request; the client
// gets no internals).
func (h *handlers) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, linehealth.ErrNotFound) {
		bad(w, http.StatusNotFound, "id", what+" not found")
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

// page is a list answer: the rows under their name, and next, the cursor
// for the following page (pass it as ?after= for customers and lines, as
// ?before= for incidents), absent on the last page.
func page(w http.ResponseWriter, name string, rows any, more bool, last string) {
	body := map[string]any{name: rows}
	if more {
		body["next"] = last
	}
	serve.JSON(w, http.StatusOK, body)
}

func (h *handlers) customers(w http.ResponseWriter, r *http.Request) {
	n, ok := limit(w, r)
	if !ok {
		return
	}
	views, more, err := h.src.Customers(r.Context(), h.scopeOf(r), r.URL.Query().Get("after"), n)
	if err != nil {
		h.fail(w, r, "customer", err)
		return
	}
	last := ""
	if len(views) > 0 {
		last = views[len(views)-1].ID
	}
	page(w, "customers", views, more && last != "", last)
}

func (h *handlers) lines(w http.ResponseWriter, r *http.Request) {
	n, ok := limit(w, r)
	if !ok {
		return
	}
	views, more, err := h.src.Lines(r.Context(), h.scopeOf(r), r.URL.Query().Get("after"), n)
	if err != nil {
		h.fail(w, r, "line", err)
		return
	}
	last := ""
	if len(views) > 0 {
		last = views[len(views)-1].ID
	}
	page(w, "lines", views, more && last != "", last)
}

func (h *handlers) line(w http.ResponseWriter, r *http.Request) {
	d, err := h.src.Line(r.Context(), h.scopeOf(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, "line", err)
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
	list, more, err := h.src.Incidents(r.Context(), h.scopeOf(r), state, before, n)
	if err != nil {
		h.fail(w, r, "incident", err)
		return
	}
	last := ""
	if len(list) > 0 {
		last = strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	page(w, "incidents", list, more && last != "", last)
}

func (h *handlers) incident(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		bad(w, http.StatusBadRequest, "id", "incident id must be a positive whole number")
		return
	}
	d, err := h.src.Incident(r.Context(), h.scopeOf(r), id)
	if err != nil {
		h.fail(w, r, "incident", err)
		return
	}
	serve.JSON(w, http.StatusOK, d)
}
