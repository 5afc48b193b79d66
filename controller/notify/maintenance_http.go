package notify

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/vantage-net/vantage/internal/serve"
)

// Told is one notice or reminder of a window: to whom, and its state.
type Told struct {
	Customer  string     `json:"customer"`
	Kind      string     `json:"kind"`
	Channel   string     `json:"channel"`
	Recipient string     `json:"recipient"`
	Status    string     `json:"status"`
	Due       time.Time  `json:"due"`
	Sent      *time.Time `json:"sent,omitempty"`
}

// WindowView is a window as GET /api/v1/maintenance shows it.
type WindowView struct {
	Window
	Customers []string `json:"affected_customers"`
	// CustomersTold is how many of them a notice reached.
	CustomersTold int    `json:"customers_told"`
	Told          []Told `json:"told"`
}

// RegisterMaintenance adds POST and GET /api/v1/maintenance behind wrap
// (the controller requires admin or ops).
func (n *Notifier) RegisterMaintenance(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	mux.Handle("POST /api/v1/maintenance", wrap(http.HandlerFunc(n.createWindow)))
	mux.Handle("GET /api/v1/maintenance", wrap(http.HandlerFunc(n.listWindows)))
}

func (n *Notifier) createWindow(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title    string    `json:"title"`
		Start    time.Time `json:"start"`
		End      time.Time `json:"end"`
		Elements []string  `json:"elements"`
		Lines    []string  `json:"lines"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		serve.JSON(w, http.StatusBadRequest, apiError{"body: " + err.Error(), "body"})
		return
	}
	win, err := n.CreateWindow(r.Context(), Window{Title: req.Title, Start: req.Start, End: req.End, Elements: req.Elements, Lines: req.Lines})
	var fe *FieldError
	switch {
	case errors.As(err, &fe):
		serve.JSON(w, http.StatusBadRequest, apiError{fe.Msg, fe.Field})
	case err != nil:
		n.log.Error("maintenance window", "err", err)
		serve.JSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
	default:
		serve.JSON(w, http.StatusCreated, win)
	}
}

func (n *Notifier) listWindows(w http.ResponseWriter, r *http.Request) {
	before := int64(1 << 62)
	if v := r.URL.Query().Get("before"); v != "" {
		b, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			serve.JSON(w, http.StatusBadRequest, apiError{"before must be a window id", "before"})
			return
		}
		before = b
	}
	const limit = 100
	fail := func(err error) {
		n.log.Error("maintenance list", "err", err)
		serve.JSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
	}
	rows, err := n.opts.DB.QueryContext(r.Context(), `SELECT id, title, starts_at, ends_at, elements, lines, affected_lines, created_at
		FROM maintenance_windows WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit+1)
	if err != nil {
		fail(err)
		return
	}
	out := []WindowView{}
	for rows.Next() {
		var v WindowView
		var s, e, c int64
		var el, li, af string
		if err := rows.Scan(&v.ID, &v.Title, &s, &e, &el, &li, &af, &c); err != nil {
			rows.Close()
			fail(err)
			return
		}
		v.Start, v.End, v.Created = time.UnixMilli(s).UTC(), time.UnixMilli(e).UTC(), time.UnixMilli(c).UTC()
		_ = json.Unmarshal([]byte(el), &v.Elements)
		_ = json.Unmarshal([]byte(li), &v.Lines)
		_ = json.Unmarshal([]byte(af), &v.Affected)
		out = append(out, v)
	}
	rows.Close()
	resp := map[string]any{}
	if len(out) > limit {
		out = out[:limit]
		resp["next"] = strconv.FormatInt(out[limit-1].ID, 10)
	}
	for i := range out {
		v := &out[i]
		seen := map[string]bool{}
		for _, a := range v.Affected {
			if !seen[a.Customer] {
				seen[a.Customer] = true
				v.Customers = append(v.Customers, a.Customer)
			}
		}
		v.Told = []Told{}
		trs, err := n.opts.DB.QueryContext(r.Context(), `SELECT customer_id, kind, channel, recipient, status, due_at, sent_at
			FROM notify_outbox WHERE maintenance_id = ? ORDER BY id`, v.ID)
		if err != nil {
			fail(err)
			return
		}
		told := map[string]bool{}
		for trs.Next() {
			var t Told
			var due int64
			var sent sql.NullInt64
			if err := trs.Scan(&t.Customer, &t.Kind, &t.Channel, &t.Recipient, &t.Status, &due, &sent); err != nil {
				trs.Close()
				fail(err)
				return
			}
			t.Due = time.UnixMilli(due).UTC()
			if sent.Valid {
				st := time.UnixMilli(sent.Int64).UTC()
				t.Sent = &st
				if t.Kind == MaintenanceNotice {
					told[t.Customer] = true
				}
			}
			v.Told = append(v.Told, t)
		}
		trs.Close()
		v.CustomersTold = len(told)
	}
	resp["windows"] = out
	serve.JSON(w, http.StatusOK, resp)
}
