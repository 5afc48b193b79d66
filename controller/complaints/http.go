package complaints

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/serve"
)

// HTTPOptions wire the API into the controller's mux.
type HTTPOptions struct {
	// Scope tells which customers' complaints a request may see: ids, or
	// all. Nil sees all (api_auth off).
	Scope func(r *http.Request) (ids []string, all bool)
	// Writers wraps POST (e.g. apiauth.RequireRole(Admin, Ops)); nil
	// lets every caller post.
	Writers func(http.Handler) http.Handler
	// Location is the zone of naive times in POST bodies.
	Location *time.Location
	// MaxBody bounds a POST body (default 8 MiB).
	MaxBody int64
}

// Register adds /api/v1/complaints (GET list, POST one or a batch),
// /api/v1/complaints/repeats and /api/v1/complaints/{id}.
func Register(mux *http.ServeMux, s *Store, log *slog.Logger, o HTTPOptions) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.MaxBody == 0 {
		o.MaxBody = 8 << 20
	}
	h := &handlers{s: s, log: log, o: o}
	var post http.Handler = http.HandlerFunc(h.post)
	if o.Writers != nil {
		post = o.Writers(post)
	}
	mux.Handle("POST /api/v1/complaints", post)
	mux.HandleFunc("GET /api/v1/complaints", h.list)
	mux.HandleFunc("GET /api/v1/complaints/repeats", h.repeats)
	mux.HandleFunc("GET /api/v1/complaints/{id}", h.get)
}

type handlers struct {
	s   *Store
	log *slog.Logger
	o   HTTPOptions
}

type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func bad(w http.ResponseWriter, code int, field, msg string) {
	serve.JSON(w, code, apiError{Error: msg, Field: field})
}

func (h *handlers) scope(r *http.Request) (ids []string, all bool) {
	if h.o.Scope == nil {
		return nil, true
	}
	return h.o.Scope(r)
}

func (h *handlers) sees(r *http.Request) func(string) bool {
	ids, all := h.scope(r)
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return func(c string) bool { return all || (c != "" && set[c]) }
}

func (h *handlers) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error("complaints request failed", "path", r.URL.Path, "err", err)
	bad(w, http.StatusInternalServerError, "", "internal error")
}

// postAnswer is POST's answer: the summary and each complaint's outcome.
type postAnswer struct {
	Summary
	Complaints []postOutcome `json:"complaints"`
}

type postOutcome struct {
	ID      string  `json:"id"`
	Outcome Outcome `json:"outcome"`
}

func (h *handlers) post(w http.ResponseWriter, r *http.Request) {
	ins, err := DecodeIntakes(http.MaxBytesReader(w, r.Body, h.o.MaxBody), h.o.Location)
	if err != nil {
		var fe *FieldError
		var mb *http.MaxBytesError
		switch {
		case errors.As(err, &mb):
			h.s.m.rejected.WithLabelValues("body").Inc()
			bad(w, http.StatusRequestEntityTooLarge, "", "body larger than "+strconv.FormatInt(h.o.MaxBody, 10)+" bytes")
		case errors.As(err, &fe) && fe.Field == "":
			h.s.m.rejected.WithLabelValues("body").Inc()
			bad(w, http.StatusBadRequest, "", fe.Reason)
		case errors.As(err, &fe):
			h.s.m.rejected.WithLabelValues("field").Inc()
			bad(w, http.StatusBadRequest, fe.Field, fe.Field+": "+fe.Reason)
		default:
			h.s.m.rejected.WithLabelValues("body").Inc()
			bad(w, http.StatusBadRequest, "", "cannot read the body: "+err.Error())
		}
		return
	}
	sum, outs, err := h.s.Put(r.Context(), ins)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	a := postAnswer{Summary: sum, Complaints: make([]postOutcome, len(ins))}
	for i := range ins {
		a.Complaints[i] = postOutcome{ID: ins[i].ID, Outcome: outs[i]}
	}
	serve.JSON(w, http.StatusOK, a)
}

func (h *handlers) get(w http.ResponseWriter, r *http.Request) {
	c, err := h.s.Get(r.Context(), r.PathValue("id"))
	if errors.Is(err, ErrNotFound) || (err == nil && !h.sees(r)(c.LinkedCustomer)) {
		bad(w, http.StatusNotFound, "id", "complaint not found")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	serve.JSON(w, http.StatusOK, c)
}

// limits of list pages.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

func (h *handlers) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f Filter
	f.Customers, f.AllCustomers = h.scope(r)
	f.Customer = q.Get("customer")
	if v := q.Get("verdict"); v != "" {
		f.Verdict = Verdict(v)
		ok := false
		for _, k := range Verdicts {
			ok = ok || k == f.Verdict
		}
		if !ok {
			bad(w, http.StatusBadRequest, "verdict", "verdict must be confirmed, degraded, not_observed or not_monitored")
			return
		}
	}
	if v := q.Get("category"); v != "" {
		if f.Category = Category(v); !f.Category.Valid() {
			bad(w, http.StatusBadRequest, "category", "category must be line_interruption, slow, no_service, weak_signal or other")
			return
		}
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				bad(w, http.StatusBadRequest, p.name, p.name+" must be an RFC 3339 time (2026-11-20T00:00:00Z)")
				return
			}
			*p.t = t
		}
	}
	if v := q.Get("repeat"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(w, http.StatusBadRequest, "repeat", "repeat must be true or false")
			return
		}
		f.Repeat = &b
	}
	if v := q.Get("after"); v != "" {
		ms, id, ok := strings.Cut(v, "_")
		n, err := strconv.ParseInt(ms, 10, 64)
		if !ok || err != nil || id == "" {
			bad(w, http.StatusBadRequest, "after", "after must be the next cursor of the previous page")
			return
		}
		f.After = &Cursor{ReceivedMS: n, ID: id}
	}
	limit := defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			bad(w, http.StatusBadRequest, "limit", "limit must be a whole number from 1 to "+strconv.Itoa(maxLimit))
			return
		}
		limit = n
	}
	list, more, err := h.s.List(r.Context(), f, limit)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	body := map[string]any{"complaints": list}
	if more && len(list) > 0 {
		last := list[len(list)-1]
		body["next"] = strconv.FormatInt(last.ReceivedAt.UnixMilli(), 10) + "_" + last.ID
	}
	serve.JSON(w, http.StatusOK, body)
}

func (h *handlers) repeats(w http.ResponseWriter, r *http.Request) {
	limit := defaultLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			bad(w, http.StatusBadRequest, "limit", "limit must be a whole number from 1 to "+strconv.Itoa(maxLimit))
			return
		}
		limit = n
	}
	reps, err := h.s.Repeats(r.Context(), h.sees(r), limit)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if reps == nil {
		reps = []Repeat{}
	}
	serve.JSON(w, http.StatusOK, map[string]any{"repeats": reps, "repeat_count": h.s.o.RepeatCount,
		"repeat_days": int(h.s.o.RepeatWindow / (24 * time.Hour))})
}
