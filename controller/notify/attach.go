package notify

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/notify/channel"
)

// Mail is an email another part of the controller sends through the
// outbox (controller/report's scheduled reports): rendered already, with
// its attachments, delivered by the sender with its retries, backoff and
// rate limits like any notification.
type Mail struct {
	// Key is the idempotency key: a second EnqueueMail with the same key
	// adds nothing (a restart in the middle of a delivery round).
	Key  string
	Kind string // e.g. report_weekly; counted in metrics by it
	To   string
	Name string
	// Role of the recipient (account_manager) and Language of the text.
	Role, Language      string
	Subject, Text, HTML string
	Attachments         []channel.Attachment
	// Due is when it may be sent.
	Due time.Time
}

// EnqueueMail writes m and its attachments in one transaction; added is
// false when a mail with its key is there already.
func (n *Notifier) EnqueueMail(ctx context.Context, m Mail) (added bool, err error) {
	if m.Key == "" || m.To == "" || m.Subject == "" {
		return false, fmt.Errorf("notify: mail needs key, to and subject")
	}
	tx, err := n.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	due := m.Due.UnixMilli()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO notify_outbox (key, incident_id, kind, channel, recipient, recipient_name, role,
		language, status, due_at, next_attempt_at, incident_start, created_at, message_id, subject, body, html)
		VALUES (?, 0, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`,
		m.Key, m.Kind, Email, m.To, m.Name, m.Role, m.Language, due, due, due, n.opts.Now().UnixMilli(),
		n.messageID(m.Key), m.Subject, m.Text, m.HTML).Scan(&id)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("notify: enqueue mail: %w", err)
	}
	for i, a := range m.Attachments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_attachments (outbox_id, seq, name, content_type, data) VALUES (?, ?, ?, ?, ?)`,
			id, i, a.Name, a.ContentType, a.Data); err != nil {
			return false, fmt.Errorf("notify: attachment %s: %w", a.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	n.m.total.WithLabelValues(Email, m.Kind, "queued").Inc()
	return true, nil
}

// attachmentsOf reads an outbox row's attachments, in order.
func (n *Notifier) attachmentsOf(ctx context.Context, id int64) ([]channel.Attachment, error) {
	rows, err := n.opts.DB.QueryContext(ctx, `SELECT name, content_type, data FROM notify_attachments WHERE outbox_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("attachments of %d: %w", id, err)
	}
	defer rows.Close()
	var out []channel.Attachment
	for rows.Next() {
		var a channel.Attachment
		if err := rows.Scan(&a.Name, &a.ContentType, &a.Data); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
