package notify

import (
	"context"
	"fmt"
	"time"
)

// DefaultRetention is how long finished notifications are kept (Options.Retention).
const DefaultRetention = 90 * 24 * time.Hour

// pruneEvery is how often the sender's loop prunes, on its clock.
const pruneEvery = time.Hour

// pruneBatch bounds one delete transaction; pruneRounds bounds one Prune.
const (
	pruneBatch  = 1000
	pruneRounds = 100
)

// Pruned counts what one Prune deleted.
type Pruned struct {
	Outbox, Attempts, IncidentFacts, EventFacts int64
}

// Prune deletes notifications finished (sent, failed, cancelled) and
// created more than Retention before the sender's clock, with their
// attempts, then the facts no outbox row refers to any more. Never a
// pending or sending row (it is still owed), and never a row of an
// incident still open: the rule engine reads those to know who was told,
// and would write a deleted start message again. Batches of pruneBatch
// rows, each its own transaction, so the sender is not held up. Run calls
// it every hour.
func (n *Notifier) Prune(ctx context.Context) (Pruned, error) {
	var p Pruned
	cutoff := n.opts.Now().Add(-n.opts.Retention).UnixMilli()
	for range pruneRounds {
		k, a, err := n.pruneBatch(ctx, cutoff)
		p.Outbox += k
		p.Attempts += a
		if err != nil {
			return p, err
		}
		if k < pruneBatch {
			break
		}
	}
	res, err := n.opts.DB.ExecContext(ctx, `DELETE FROM notify_incidents WHERE updated_at < ?
		AND NOT EXISTS (SELECT 1 FROM notify_outbox o WHERE o.incident_id = notify_incidents.incident_id)
		AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = notify_incidents.incident_id AND i.ended_at IS NULL)`, cutoff)
	if err != nil {
		return p, fmt.Errorf("notify: prune facts: %w", err)
	}
	p.IncidentFacts, _ = res.RowsAffected()
	res, err = n.opts.DB.ExecContext(ctx, `DELETE FROM notify_event_facts WHERE created_at < ?
		AND NOT EXISTS (SELECT 1 FROM notify_outbox o WHERE o.event_ref = notify_event_facts.ref AND o.event_ref <> '')`, cutoff)
	if err != nil {
		return p, fmt.Errorf("notify: prune event facts: %w", err)
	}
	p.EventFacts, _ = res.RowsAffected()
	for table, k := range map[string]int64{"notify_outbox": p.Outbox, "notify_attempts": p.Attempts,
		"notify_incidents": p.IncidentFacts, "notify_event_facts": p.EventFacts} {
		n.m.pruned.WithLabelValues(table).Add(float64(k))
	}
	if p.Outbox+p.IncidentFacts+p.EventFacts > 0 {
		n.log.Info("old notifications pruned", "outbox", p.Outbox, "attempts", p.Attempts,
			"incident_facts", p.IncidentFacts, "event_facts", p.EventFacts, "retention", n.opts.Retention)
	}
	return p, nil
}

// pruneBatch deletes up to pruneBatch finished outbox rows older than
// cutoff and their attempts, in one transaction.
func (n *Notifier) pruneBatch(ctx context.Context, cutoff int64) (outbox, attempts int64, err error) {
	tx, err := n.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	const pick = `SELECT o.id FROM notify_outbox o WHERE o.created_at < ? AND o.status IN ('sent', 'failed', 'cancelled')
		AND (o.incident_id = 0 OR NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = o.incident_id AND i.ended_at IS NULL))
		ORDER BY o.created_at LIMIT ?`
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS notify_prune (id INTEGER PRIMARY KEY)`); err != nil {
		return 0, 0, fmt.Errorf("notify: prune: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM notify_prune`); err != nil {
		return 0, 0, fmt.Errorf("notify: prune: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO notify_prune (id) `+pick, cutoff, pruneBatch); err != nil {
		return 0, 0, fmt.Errorf("notify: prune: %w", err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM notify_attempts WHERE outbox_id IN (SELECT id FROM notify_prune)`)
	if err != nil {
		return 0, 0, fmt.Errorf("notify: prune attempts: %w", err)
	}
	attempts, _ = res.RowsAffected()
	if res, err = tx.ExecContext(ctx, `DELETE FROM notify_outbox WHERE id IN (SELECT id FROM notify_prune)`); err != nil {
		return 0, 0, fmt.Errorf("notify: prune outbox: %w", err)
	}
	outbox, _ = res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `DELETE FROM notify_prune`); err != nil {
		return 0, 0, fmt.Errorf("notify: prune: %w", err)
	}
	return outbox, attempts, tx.Commit()
}
