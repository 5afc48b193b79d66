package notify

import (
	"database/sql"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/serve"
)

// ScopeFunc says which customers a request may see (all for admin and
// ops; an account manager's own). Messages to the ops on-call (no
// customer) are visible only to a request that sees all. Nil sees all.
type ScopeFunc func(r *http.Request) (customers []string, all bool)

// Notification is one outbox row as the API shows it.
type Notification struct {
	ID        int64      `json:"id"`
	Key       string     `json:"key"`
	Incident  int64      `json:"incident"`
	Customer  string     `json:"customer,omitempty"`
	Tier      string     `json:"tier,omitempty"`
	Kind      string     `json:"kind"`
	Channel   string     `json:"channel"`
	Recipient string     `json:"recipient"`
	Role      string     `json:"role,omitempty"`
	Language  string     `json:"language,omitempty"`
	Status    string     `json:"status"`
	Due       time.Time  `json:"due"`
	Created   time.Time  `json:"created"`
	Sent      *time.Time `json:"sent,omitempty"`
	Attempts  int        `json:"attempts"`
	MessageID string     `json:"message_id"`
	Subject   string     `json:"subject,omitempty"`
	LastError string     `json:"last_error,omitempty"`
}

// Register adds GET /api/v1/notifications to mux: newest first, filtered
// by incident, customer, channel, kind, status, recipient; paged by
// keyset (?before=ID, or the answer's "next"), limit ≤ 1000 (default 100).
// Webhook and SMS recipients are shown as configured (a webhook's name,
// never its URL).
func (n *Notifier) Register(mux *http.ServeMux, scope ScopeFunc) {
	mux.HandleFunc("GET /api/v1/notifications", func(w http.ResponseWriter, r *http.Request) { n.list(w, r, scope) })
}

type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func (n *Notifier) list(w http.ResponseWriter, r *http.Request, scope ScopeFunc) {
	q := r.URL.Query()
	where, args := []string{"1 = 1"}, []any{}
	limit := 100
	if v := q.Get("limit"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 || k > 1000 {
			serve.JSON(w, http.StatusBadRequest, apiError{"limit must be 1..1000", "limit"})
			return
		}
		limit = k
	}
	if v := q.Get("before"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			serve.JSON(w, http.StatusBadRequest, apiError{"before must be a notification id", "before"})
			return
		}
		where, args = append(where, "id < ?"), append(args, id)
	}
	if v := q.Get("incident"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			serve.JSON(w, http.StatusBadRequest, apiError{"incident must be an incident id", "incident"})
			return
		}
		where, args = append(where, "incident_id = ?"), append(args, id)
	}
	enum := map[string][]string{"channel": {Email, SMS, Webhook}, "kind": Kinds,
		"status": {"pending", "sending", "sent", "failed", "cancelled"}}
	for _, f := range []string{"channel", "kind", "status"} {
		if v := q.Get(f); v != "" {
			if !slices.Contains(enum[f], v) {
				serve.JSON(w, http.StatusBadRequest, apiError{f + " must be one of " + strings.Join(enum[f], ", "), f})
				return
			}
			where, args = append(where, f+" = ?"), append(args, v)
		}
	}
	if v := q.Get("customer"); v != "" {
		where, args = append(where, "customer_id = ?"), append(args, v)
	}
	if v := q.Get("recipient"); v != "" {
		where, args = append(where, "recipient = ?"), append(args, v)
	}
	if scope != nil {
		ids, all := scope(r)
		if !all {
			ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
			if ph == "" {
				ph = "NULL"
			}
			where = append(where, "customer_id IN ("+ph+")")
			for _, id := range ids {
				args = append(args, id)
			}
		}
	}
	rows, err := n.opts.DB.QueryContext(r.Context(), `SELECT id, key, incident_id, customer_id, tier, kind, channel, recipient,
		role, language, status, due_at, created_at, sent_at, attempts, message_id, subject, last_error FROM notify_outbox
		WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		n.log.Error("notifications API", "err", err)
		serve.JSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
		return
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var x Notification
		var due, created int64
		var sent sql.NullInt64
		if err := rows.Scan(&x.ID, &x.Key, &x.Incident, &x.Customer, &x.Tier, &x.Kind, &x.Channel, &x.Recipient, &x.Role,
			&x.Language, &x.Status, &due, &created, &sent, &x.Attempts, &x.MessageID, &x.Subject, &x.LastError); err != nil {
			n.log.Error("notifications API", "err", err)
			serve.JSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
			return
		}
		x.Due, x.Created = time.UnixMilli(due).UTC(), time.UnixMilli(created).UTC()
		if sent.Valid {
			t := time.UnixMilli(sent.Int64).UTC()
			x.Sent = &t
		}
		out = append(out, x)
	}
	resp := map[string]any{"notifications": out}
	if len(out) > limit {
		out = out[:limit]
		resp["notifications"] = out
		resp["next"] = strconv.FormatInt(out[len(out)-1].ID, 10)
	}
	serve.JSON(w, http.StatusOK, resp)
}
