package notify

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
)

// IncidentsChanged is the rule engine, called by line health inside the
// transaction that stores incident changes (linehealth.IncidentHook). It
// stores each incident's facts and writes the messages the change calls
// for; an error rolls the whole commit back, so an incident change is
// never stored without its notifications. now is line health's clock.
func (n *Notifier) IncidentsChanged(ctx context.Context, tx *sql.Tx, changed []incident.Incident, now time.Time) error {
	// A commit may carry several copies of one incident; the last is its
	// state now.
	last := map[int64]int{}
	for i := range changed {
		last[changed[i].ID] = i
	}
	// Incidents merged into another go first, so the one they joined
	// knows who was already told through them.
	for _, merged := range []bool{true, false} {
		for i := range changed {
			if last[changed[i].ID] != i || (changed[i].MergedInto != 0) != merged {
				continue
			}
			if err := n.plan(ctx, tx, &changed[i], now); err != nil {
				return fmt.Errorf("notify: incident %d: %w", changed[i].ID, err)
			}
		}
	}
	return nil
}

func (n *Notifier) plan(ctx context.Context, tx *sql.Tx, in *incident.Incident, now time.Time) error {
	f := factsOf(in)
	var err error
	if f.Planned, _, err = n.planned(ctx, tx, in, ""); err != nil {
		return err
	}
	// Line health stores the incident's cause in this transaction before
	// calling the hook (incidents.cause, controller/cause).
	if err := tx.QueryRowContext(ctx, `SELECT cause FROM incidents WHERE id = ?`, in.ID).Scan(&f.Cause); err != nil &&
		err != sql.ErrNoRows {
		return fmt.Errorf("cause: %w", err)
	}
	facts, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO notify_incidents (incident_id, facts, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (incident_id) DO UPDATE SET facts = excluded.facts, updated_at = excluded.updated_at`,
		in.ID, string(facts), now.UnixMilli()); err != nil {
		return err
	}
	// The ops on-call hear once per incident, after the shortest delay of
	// the customers whose rule tells ops.
	opsDelay, opsTier, ops := time.Duration(0), "", false
	for _, c := range in.Customers() {
		if onlyAffected(in, c.ID) {
			continue // their lines were down already: their own incident tells them
		}
		r, ok := n.opts.Rules[c.Tier]
		if !ok {
			continue
		}
		delay, notifies := r.notifies(string(in.Kind))
		if !notifies {
			continue
		}
		if r.Ops && (!ops || delay < opsDelay) {
			opsDelay, opsTier, ops = delay, c.Tier, true
		}
		if in.Open() {
			// An open incident changes with every line that joins it (300
			// times for a card of 300 lines): a customer whose messages are
			// written already needs nothing more until it ends.
			var written bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM notify_outbox WHERE incident_id = ? AND customer_id = ?)`,
				in.ID, c.ID).Scan(&written); err != nil {
				return err
			}
			if written {
				continue
			}
		}
		rcpts, err := customerRecipients(ctx, tx, c.ID, r, n.webhookLang)
		if err != nil {
			return err
		}
		for _, rc := range rcpts {
			if err := n.decide(ctx, tx, in, c.ID, c.Tier, rc, delay, now); err != nil {
				return err
			}
		}
	}
	if ops {
		for _, rc := range opsRecipients(n.opts.Ops, n.webhookLang) {
			if err := n.decide(ctx, tx, in, "", opsTier, rc, opsDelay, now); err != nil {
				return err
			}
		}
	}
	return n.dispatch(ctx, tx, in, now)
}

// onlyAffected reports whether all the customer's lines in the incident
// are listed as affected (already down or flapping in an incident of
// their own when the element failed).
func onlyAffected(in *incident.Incident, customer string) bool {
	for _, m := range in.Members {
		if m.Customer == customer && m.Role != incident.RoleAffected {
			return false
		}
	}
	return true
}

func kindsOf(k incident.Kind) (start, end string) {
	if k == incident.Flapping {
		return FlappingStart, FlappingEnd
	}
	return OutageStart, OutageEnd
}

// Key is the idempotency key of one message.
func Key(incidentID int64, customer string, rc Recipient, kind string) string {
	return fmt.Sprintf("incident/%d/%s/%s/%s", incidentID, customer, rc.id(), kind)
}

// decide writes what one recipient is owed for the incident's state:
//
//   - open: the start message, due at start + delay (a replay inserts
//     nothing: the key exists);
//   - ended, start message still waiting and never tried: it is cancelled,
//     and if the incident lasted the delay, the end message says what
//     happened instead; a shorter one sends nothing (a 2-s flap);
//   - ended, start message tried or sent: the end message, due now.
func (n *Notifier) decide(ctx context.Context, tx *sql.Tx, in *incident.Incident, customer, tier string, rc Recipient,
	delay time.Duration, now time.Time) error {
	startKind, endKind := kindsOf(in.Kind)
	var planned bool
	var windowEnd time.Time
	var err error
	if customer != "" { // the ops on-call see planned incidents too
		if planned, windowEnd, err = n.planned(ctx, tx, in, customer); err != nil {
			return err
		}
	}
	if planned && !in.Open() && !in.End.After(windowEnd) {
		// Inside a maintenance window and over before its end: the
		// customer was told of the window, not of this.
		_, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = 'cancelled', last_error = 'planned maintenance'
			WHERE key = ? AND status = 'pending' AND attempts = 0`, Key(in.ID, customer, rc, startKind))
		return err
	}
	if in.Open() {
		// Told already through an incident merged into this one (its
		// lines turned out to share this one's cause): no second start;
		// this incident's end still goes out (see below: no start row, and
		// it lasted the delay).
		var told int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notify_outbox o JOIN notify_incidents f
			ON f.incident_id = o.incident_id WHERE CAST(json_extract(f.facts, '$.merged_into') AS BIGINT) = ? AND o.customer_id = ?
			AND o.channel = ? AND o.recipient = ? AND o.kind = ? AND (o.status IN ('sending', 'sent') OR o.attempts > 0)`,
			in.ID, customer, rc.Channel, rc.Address, startKind).Scan(&told); err != nil {
			return err
		}
		if told > 0 {
			return nil
		}
		due := in.Start.Add(delay)
		if planned && windowEnd.After(due) {
			due = windowEnd // told only if it outlasts the window
		}
		return n.insert(ctx, tx, in, customer, tier, rc, startKind, due, now)
	}
	var status string
	var attempts int
	err = tx.QueryRowContext(ctx, `SELECT status, attempts FROM notify_outbox WHERE key = ?`,
		Key(in.ID, customer, rc, startKind)).Scan(&status, &attempts)
	switch {
	case err == sql.ErrNoRows:
		status = ""
	case err != nil:
		return err
	}
	if status == "pending" && attempts == 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = 'cancelled',
			last_error = 'incident ended before the message went out' WHERE key = ? AND status = 'pending'`,
			Key(in.ID, customer, rc, startKind)); err != nil {
			return err
		}
		n.m.total.WithLabelValues(rc.Channel, startKind, "cancelled").Inc()
		status = ""
	}
	if status == "" && in.End.Sub(in.Start) < delay {
		return nil // shorter than the tier's delay: nobody is told
	}
	if status == "cancelled" || in.MergedInto != 0 {
		return nil // a merged incident's story goes on in the one it joined
	}
	return n.insert(ctx, tx, in, customer, tier, rc, endKind, now, now)
}

// insert adds one message unless its key exists. Non-urgent kinds wait
// out the recipient's quiet hours.
func (n *Notifier) insert(ctx context.Context, tx *sql.Tx, in *incident.Incident, customer, tier string, rc Recipient,
	kind string, due, now time.Time) error {
	if !Urgent(kind) {
		if q, ok, err := ParseQuietHours(rc.Quiet); err == nil && ok {
			due = q.After(due, n.opts.Location)
		}
	}
	key := Key(in.ID, customer, rc, kind)
	res, err := tx.ExecContext(ctx, `INSERT INTO notify_outbox (key, incident_id, customer_id, tier, kind, urgent, channel,
		recipient, recipient_name, role, language, status, due_at, next_attempt_at, incident_start, created_at, message_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		key, in.ID, customer, tier, kind, Urgent(kind), rc.Channel, rc.Address, rc.Name, rc.Role, rc.Language,
		due.UnixMilli(), due.UnixMilli(), in.Start.UnixMilli(), now.UnixMilli(), n.messageID(key))
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k > 0 {
		n.m.total.WithLabelValues(rc.Channel, kind, "queued").Inc()
	}
	return nil
}

// messageID is stable per key: a resend is the same message to the
// recipient's mail system.
func (n *Notifier) messageID(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:16]) + "@" + n.opts.MessageIDDomain
}
