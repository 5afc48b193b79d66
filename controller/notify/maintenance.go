package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
)

// Maintenance kinds: the advance notice and the reminder of a planned
// cutover, to the affected customers' contacts (by their tier's rule).
const (
	MaintenanceNotice   = "maintenance_notice"
	MaintenanceReminder = "maintenance_reminder"
)

// MaintenanceOptions say when a window's customers are told.
type MaintenanceOptions struct {
	// Lead is how long before the start the notice is due (default 48 h;
	// a window created later than that is announced at once).
	Lead time.Duration
	// Reminder is how long before the start the reminder is due (default
	// 2 h; none when that has passed at creation).
	Reminder time.Duration
}

// Window is a planned cutover.
type Window struct {
	ID       int64          `json:"id"`
	Title    string         `json:"title,omitempty"`
	Start    time.Time      `json:"start"`
	End      time.Time      `json:"end"`
	Elements []string       `json:"elements"`
	Lines    []string       `json:"lines"`
	Affected []AffectedLine `json:"affected_lines"`
	Created  time.Time      `json:"created"`
}

// AffectedLine is a line a window takes down, with its customer.
type AffectedLine struct {
	Line     string `json:"line"`
	Customer string `json:"customer"`
	Tier     string `json:"tier"`
}

// FieldError names the request field at fault.
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// CreateWindow stores a window with its affected lines (the elements'
// lines and the lines named) and, in the same transaction, the notice and
// reminder for each affected customer's recipients.
func (n *Notifier) CreateWindow(ctx context.Context, w Window) (Window, error) {
	now := n.opts.Now()
	switch {
	case w.Start.IsZero() || w.End.IsZero():
		return w, &FieldError{"start", "start and end are required (RFC 3339)"}
	case !w.End.After(w.Start):
		return w, &FieldError{"end", "must be after start"}
	case len(w.Elements)+len(w.Lines) == 0:
		return w, &FieldError{"elements", "name at least one element or line"}
	}
	tx, err := n.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return w, err
	}
	defer tx.Rollback()
	w.Affected = nil
	seen := map[string]bool{}
	add := func(rows *sql.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var a AffectedLine
			if err := rows.Scan(&a.Line, &a.Customer, &a.Tier); err != nil {
				return err
			}
			if !seen[a.Line] {
				seen[a.Line] = true
				w.Affected = append(w.Affected, a)
			}
		}
		return rows.Err()
	}
	for i, e := range w.Elements {
		var one int
		if tx.QueryRowContext(ctx, `SELECT 1 FROM upstream_elements WHERE id = ?`, e).Scan(&one) != nil {
			return w, &FieldError{fmt.Sprintf("elements[%d]", i), fmt.Sprintf("%q is not an element of the inventory", e)}
		}
		rows, err := tx.QueryContext(ctx, `WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT e.id FROM upstream_elements e
			JOIN sub ON e.parent_id = sub.id)
			SELECT l.circuit_id, l.customer_id, c.tier FROM lines l JOIN customers c ON c.id = l.customer_id
			WHERE l.upstream_element_id IN (SELECT id FROM sub) ORDER BY l.circuit_id`, e)
		if err != nil {
			return w, err
		}
		if err := add(rows); err != nil {
			return w, err
		}
	}
	for i, l := range w.Lines {
		rows, err := tx.QueryContext(ctx, `SELECT l.circuit_id, l.customer_id, c.tier FROM lines l
			JOIN customers c ON c.id = l.customer_id WHERE l.circuit_id = ?`, l)
		if err != nil {
			return w, err
		}
		before := len(seen)
		if err := add(rows); err != nil {
			return w, err
		}
		if len(seen) == before && !seen[l] {
			return w, &FieldError{fmt.Sprintf("lines[%d]", i), fmt.Sprintf("%q is not a line of the inventory", l)}
		}
	}
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if w.Elements == nil {
		w.Elements = []string{}
	}
	if w.Lines == nil {
		w.Lines = []string{}
	}
	w.Created = now
	if err := tx.QueryRowContext(ctx, `INSERT INTO maintenance_windows (title, starts_at, ends_at, elements, lines, affected_lines,
		created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, w.Title, w.Start.UnixMilli(), w.End.UnixMilli(), enc(w.Elements), enc(w.Lines),
		enc(w.Affected), now.UnixMilli()).Scan(&w.ID); err != nil {
		return w, err
	}
	notice := maxTime(now, w.Start.Add(-n.opts.Maintenance.Lead))
	reminder := w.Start.Add(-n.opts.Maintenance.Reminder)
	done := map[string]bool{}
	for _, a := range w.Affected {
		if done[a.Customer] {
			continue
		}
		done[a.Customer] = true
		r, ok := n.opts.Rules[a.Tier]
		if !ok {
			continue
		}
		rcpts, err := customerRecipients(ctx, tx, a.Customer, r, n.webhookLang)
		if err != nil {
			return w, err
		}
		for _, rc := range rcpts {
			if err := n.insertMaintenance(ctx, tx, w, a.Customer, a.Tier, rc, MaintenanceNotice, notice, now); err != nil {
				return w, err
			}
			if reminder.After(notice) {
				if err := n.insertMaintenance(ctx, tx, w, a.Customer, a.Tier, rc, MaintenanceReminder, reminder, now); err != nil {
					return w, err
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return w, err
	}
	n.refreshCoverage(ctx)
	return w, nil
}

func (n *Notifier) insertMaintenance(ctx context.Context, tx *sql.Tx, w Window, customer, tier string, rc Recipient, kind string,
	due, now time.Time) error {
	if q, ok, err := ParseQuietHours(rc.Quiet); err == nil && ok {
		due = q.After(due, n.opts.Location)
	}
	key := fmt.Sprintf("maintenance/%d/%s/%s/%s", w.ID, customer, rc.id(), kind)
	_, err := tx.ExecContext(ctx, `INSERT INTO notify_outbox (key, incident_id, maintenance_id, customer_id, tier, kind, urgent,
		channel, recipient, recipient_name, role, language, status, due_at, next_attempt_at, incident_start, created_at, message_id)
		VALUES (?, 0, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		key, w.ID, customer, tier, kind, rc.Channel, rc.Address, rc.Name, rc.Role, rc.Language,
		due.UnixMilli(), due.UnixMilli(), w.Start.UnixMilli(), now.UnixMilli(), n.messageID(key))
	if err == nil {
		n.m.total.WithLabelValues(rc.Channel, kind, "queued").Inc()
	}
	return err
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// planned reports whether all the customer's lines in the incident are in
// a maintenance window that contains the incident's start, and the latest
// end of those windows. The ops on-call ("") are never held back.
func (n *Notifier) planned(ctx context.Context, tx *sql.Tx, in *incident.Incident, customer string) (bool, time.Time, error) {
	var end time.Time
	any := false
	for _, m := range in.Members {
		if customer != "" && m.Customer != customer {
			continue
		}
		var e sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(w.ends_at) FROM maintenance_windows w, json_each(w.affected_lines) j
			WHERE json_extract(j.value, '$.line') = ? AND w.starts_at <= ? AND w.ends_at >= ?`,
			m.Line, in.Start.UnixMilli(), in.Start.UnixMilli()).Scan(&e); err != nil {
			return false, time.Time{}, err
		}
		if !e.Valid {
			return false, time.Time{}, nil
		}
		any = true
		end = maxTime(end, time.UnixMilli(e.Int64).UTC())
	}
	return any, end, nil
}

// windowFacts renders a maintenance row from its window: the customer's
// affected lines, the window's start and end.
func (n *Notifier) windowFacts(ctx context.Context, id int64, customer string) (Facts, error) {
	var title, affected string
	var start, end int64
	if err := n.opts.DB.QueryRowContext(ctx, `SELECT title, starts_at, ends_at, affected_lines FROM maintenance_windows WHERE id = ?`, id).
		Scan(&title, &start, &end, &affected); err != nil {
		return Facts{}, fmt.Errorf("maintenance window %d: %w", id, err)
	}
	var lines []AffectedLine
	if err := json.Unmarshal([]byte(affected), &lines); err != nil {
		return Facts{}, err
	}
	f := Facts{Kind: "maintenance", Title: title, Start: time.UnixMilli(start).UTC(), End: time.UnixMilli(end).UTC()}
	for _, l := range lines {
		if l.Customer == customer {
			f.Lines = append(f.Lines, FactLine{Line: l.Line, Customer: l.Customer})
		}
	}
	return f, nil
}

// refreshCoverage sets the announcement coverage gauges: over windows not
// yet ended whose notice is due, the affected customers and those a notice
// reached.
func (n *Notifier) refreshCoverage(ctx context.Context) {
	now := n.opts.Now().UnixMilli()
	var affected, told int64
	err := n.opts.DB.QueryRowContext(ctx, `SELECT count(DISTINCT w.id || '/' || json_extract(j.value, '$.customer'))
		FROM maintenance_windows w, json_each(w.affected_lines) j WHERE w.ends_at > ? AND EXISTS (SELECT 1 FROM notify_outbox o
		WHERE o.maintenance_id = w.id AND o.kind = 'maintenance_notice' AND o.due_at <= ?)`, now, now).Scan(&affected)
	if err == nil {
		err = n.opts.DB.QueryRowContext(ctx, `SELECT count(DISTINCT o.maintenance_id || '/' || o.customer_id) FROM notify_outbox o
			JOIN maintenance_windows w ON w.id = o.maintenance_id WHERE w.ends_at > ? AND o.kind = 'maintenance_notice'
			AND o.status = 'sent'`, now).Scan(&told)
	}
	if err != nil {
		n.log.Warn("maintenance coverage", "err", err)
		return
	}
	n.m.windowCustomers.WithLabelValues("affected").Set(float64(affected))
	n.m.windowCustomers.WithLabelValues("told").Set(float64(told))
	ratio := 1.0
	if affected > 0 {
		ratio = float64(told) / float64(affected)
	}
	n.m.coverage.Set(ratio)
}
