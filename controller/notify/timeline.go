package notify

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
)

// Timeline returns an incident's notifications (sent or given up),
// acknowledgements and escalations as timeline entries, for the
// incident's API view (linehealth.ReadOptions.Timeline): what: notified,
// escalated (dispatch_second, dispatch_lead, escalation_limit; the first
// dispatch is "dispatched"), notification_failed, acknowledged. sees
// filters messages to customers outside the reader's scope; messages to
// ops and acknowledgements are shown only to a reader who sees all ("").
func (n *Notifier) Timeline(ctx context.Context, incidentID int64, sees func(customer string) bool) ([]incident.Entry, error) {
	rows, err := n.opts.DB.QueryContext(ctx, `SELECT customer_id, kind, channel, recipient, status, coalesce(sent_at, next_attempt_at),
		attempts FROM notify_outbox WHERE incident_id = ? AND status IN ('sent', 'failed') ORDER BY coalesce(sent_at, next_attempt_at), id`,
		incidentID)
	if err != nil {
		return nil, fmt.Errorf("notify timeline: %w", err)
	}
	defer rows.Close()
	var out []incident.Entry
	for rows.Next() {
		var customer, kind, ch, rcpt, status string
		var at int64
		var attempts int
		if err := rows.Scan(&customer, &kind, &ch, &rcpt, &status, &at, &attempts); err != nil {
			return nil, err
		}
		if !sees(customer) {
			continue
		}
		what := "notified"
		switch {
		case status == "failed":
			what = "notification_failed"
		case kind == DispatchFirst:
			what = "dispatched"
		case slices.Contains(dispatchKinds, kind):
			what = "escalated"
		}
		note := fmt.Sprintf("%s %s:%s", kind, ch, rcpt)
		if customer != "" {
			note += " (" + customer + ")"
		}
		if attempts > 1 {
			note += fmt.Sprintf(", %d attempts", attempts)
		}
		out = append(out, incident.Entry{Time: time.UnixMilli(at).UTC(), What: what, Note: note})
	}
	if err := rows.Err(); err != nil || !sees("") {
		return out, err
	}
	acks, err := n.opts.DB.QueryContext(ctx, `SELECT by, via, at FROM notify_acks WHERE incident_id = ? ORDER BY at, id`, incidentID)
	if err != nil {
		return nil, err
	}
	defer acks.Close()
	for acks.Next() {
		var by, via string
		var at int64
		if err := acks.Scan(&by, &via, &at); err != nil {
			return nil, err
		}
		out = append(out, incident.Entry{Time: time.UnixMilli(at).UTC(), What: "acknowledged", Note: "by " + by + " via " + via})
	}
	return out, acks.Err()
}
