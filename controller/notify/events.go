package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Event sources the sender's loop reads (notify_cursors.source).
const (
	srcDegraded = "line_events"
	srcCoverage = "coverage_events"
)

// eventBatch bounds the event ids one PollEvents reads per source.
const eventBatch = 2000

// maxEventAge: an event that ended (degradation) or began (weak coverage)
// longer ago than this when first read is history, not news (late
// evidence of last week) and tells nobody.
const maxEventAge = 24 * time.Hour

// PollEvents writes the messages that new degradations and weak-coverage
// events call for (Rule.DegradedAfter, Rule.WeakCoverage). Each source is
// read past its cursor and the cursor advanced in the same transaction as
// the outbox rows: a crash before the commit reads the events again, and
// the outbox key (event, customer, recipient, kind) keeps that from
// writing anything twice. Run calls it every poll, on the sender's clock.
func (n *Notifier) PollEvents(ctx context.Context) error {
	now := n.opts.Now()
	// Transactions take the write lock at BEGIN (BEGIN IMMEDIATE): look
	// without one first, so an idle poll never holds up line health.
	// PostgreSQL has no such lock, and must look for late rows (lateRows).
	var behind bool
	if n.pg {
		behind = true
	} else if err := n.opts.DB.QueryRowContext(ctx, `SELECT
		coalesce((SELECT pos FROM notify_cursors WHERE source = ?), -1) < coalesce((SELECT max(id) FROM line_events), 0)
		OR coalesce((SELECT pos FROM notify_cursors WHERE source = ?), -1) < coalesce((SELECT max(id) FROM coverage_events), 0)`,
		srcDegraded, srcCoverage).Scan(&behind); err != nil {
		return fmt.Errorf("notify: events: %w", err)
	}
	if !behind {
		return nil
	}
	tx, err := n.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var xmin int64
	if n.pg {
		// Taken before reading: every transaction not finished now has an
		// xid at or above it, so the next poll's late rows include all
		// rows this one cannot see yet.
		if err := tx.QueryRowContext(ctx, `SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)`).Scan(&xmin); err != nil {
			return fmt.Errorf("notify: events: %w", err)
		}
	}
	changed := false
	for _, src := range []struct {
		name string
		read func(context.Context, *sql.Tx, int64, int64, late, time.Time) error
	}{{srcDegraded, n.degradations}, {srcCoverage, n.weakCoverage}} {
		var pos, hi, prev sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT pos FROM notify_cursors WHERE source = ?`, src.name).Scan(&pos); err != nil &&
			err != sql.ErrNoRows {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM `+src.name).Scan(&hi); err != nil {
			return err
		}
		if n.pg {
			if err := tx.QueryRowContext(ctx, `SELECT pos FROM notify_cursors WHERE source = ?`, src.name+xminSuffix).Scan(&prev); err != nil &&
				err != sql.ErrNoRows {
				return err
			}
		}
		lr := late{pg: n.pg && prev.Valid, xmin: prev.Int64}
		switch {
		case !pos.Valid: // first run: start at the newest event
		case hi.Int64 <= pos.Int64 && (!lr.pg || prev.Int64 == xmin):
			continue
		default:
			hi.Int64 = max(pos.Int64, min(hi.Int64, pos.Int64+eventBatch))
			if err := src.read(ctx, tx, pos.Int64, hi.Int64, lr, now); err != nil {
				return fmt.Errorf("notify: %s: %w", src.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_cursors (source, pos) VALUES (?, ?)
			ON CONFLICT (source) DO UPDATE SET pos = excluded.pos`, src.name, hi.Int64); err != nil {
			return err
		}
		if n.pg {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notify_cursors (source, pos) VALUES (?, ?)
				ON CONFLICT (source) DO UPDATE SET pos = excluded.pos`, src.name+xminSuffix, xmin); err != nil {
				return err
			}
		}
		changed = true
	}
	if !changed {
		return nil
	}
	return tx.Commit()
}

// xminSuffix names the cursor row holding, on PostgreSQL, the oldest
// transaction still running when the source was last read.
const xminSuffix = "#xmin"

// late widens a read on PostgreSQL to the rows the last read could not see
// yet: several controllers write events at once, so a row may commit after
// one with a higher id was read and the cursor moved past it. Those rows'
// transactions had not finished at the last read, so their xid is at or
// after the xmin it stored; rows read twice are told once (outbox keys).
// SQLite has one writer: rows commit in id order.
type late struct {
	pg   bool
	xmin int64
}

// lateWindow bounds how far below the cursor late rows are looked for, so
// a poll reads a range of the primary key, not the table: a line-health
// commit holds its ids for milliseconds, while 10,000 events take hours.
const lateWindow = 10000

// where is the condition on the event table aliased e for ids in (from, to]
// and, on PostgreSQL, the late rows at or below from.
func (l late) where(from, to int64) (string, []any) {
	if !l.pg {
		return `e.id > ? AND e.id <= ?`, []any{from, to}
	}
	// age() compares xids across wraparound; xmin is the 64-bit xid's low
	// 32 bits, as rows carry it.
	return `((e.id > ? AND e.id <= ?) OR (e.id <= ? AND e.id > ? AND age(e.xmin) <= age(CAST(CAST(? AS TEXT) AS xid))))`,
		[]any{from, to, from, from - lateWindow, strconv.FormatInt(l.xmin&0xffffffff, 10)}
}

// degradations tells of the degradations with ids in (from, to] that
// lasted their customer's tier's DegradedAfter, outside maintenance
// windows on the line.
func (n *Notifier) degradations(ctx context.Context, tx *sql.Tx, from, to int64, lr late, now time.Time) error {
	cond, args := lr.where(from, to)
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.circuit_id, e.started_at, e.ended_at, coalesce(e.loss_pct, 0),
			l.customer_id, c.tier
		FROM line_events e JOIN lines l ON l.circuit_id = e.circuit_id JOIN customers c ON c.id = l.customer_id
		WHERE `+cond+` AND e.kind = 'degraded' AND e.retracted_at IS NULL AND e.ended_at IS NOT NULL
		ORDER BY e.id`, args...)
	if err != nil {
		return err
	}
	type deg struct {
		id             int64
		line, customer string
		tier           string
		start, end     int64
		loss           float64
	}
	var evs []deg
	for rows.Next() {
		var d deg
		if err := rows.Scan(&d.id, &d.line, &d.start, &d.end, &d.loss, &d.customer, &d.tier); err != nil {
			rows.Close()
			return err
		}
		evs = append(evs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range evs {
		r, ok := n.opts.Rules[d.tier]
		start, end := time.UnixMilli(d.start).UTC(), time.UnixMilli(d.end).UTC()
		if !ok || r.DegradedAfter <= 0 || end.Sub(start) < r.DegradedAfter || now.Sub(end) > maxEventAge {
			continue
		}
		var planned bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM maintenance_windows w, json_each(w.affected_lines) j
			WHERE json_extract(j.value, '$.line') = ? AND w.starts_at <= ? AND w.ends_at >= ?)`,
			d.line, d.start, d.start).Scan(&planned); err != nil {
			return err
		}
		if planned {
			continue // planned work degrades lines too: the window was announced
		}
		f := Facts{Kind: Degraded, Start: start, End: end, LossPct: d.loss,
			Lines: []FactLine{{Line: d.line, Customer: d.customer, Down: start, Up: end}}}
		if err := n.tellEvent(ctx, tx, fmt.Sprintf("%s/%d", Degraded, d.id), f, d.customer, d.tier, r, now); err != nil {
			return err
		}
	}
	return nil
}

// weakCoverage tells the customers with a site in the cell of each
// weak-coverage event with id in (from, to] whose tier's rule says so.
func (n *Notifier) weakCoverage(ctx context.Context, tx *sql.Tx, from, to int64, lr late, now time.Time) error {
	cond, args := lr.where(from, to)
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.cell, e.started_at, s.id, s.customer_id, c.tier
		FROM coverage_events e JOIN sites s ON s.grid_cell = e.cell JOIN customers c ON c.id = s.customer_id
		WHERE `+cond+` AND e.cell <> '' ORDER BY e.id, s.customer_id, s.id`, args...)
	if err != nil {
		return err
	}
	type key struct {
		id       int64
		customer string
	}
	facts := map[key]*Facts{}
	tiers := map[key]string{}
	var order []key
	for rows.Next() {
		var k key
		var cell, site, tier string
		var start int64
		if err := rows.Scan(&k.id, &cell, &start, &site, &k.customer, &tier); err != nil {
			rows.Close()
			return err
		}
		f, ok := facts[k]
		if !ok {
			f = &Facts{Kind: WeakCoverage, Cell: cell, Start: time.UnixMilli(start).UTC()}
			facts[k], tiers[k] = f, tier
			order = append(order, k)
		}
		f.Lines = append(f.Lines, FactLine{Line: site, Customer: k.customer, Down: f.Start})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range order {
		f := facts[k]
		r, ok := n.opts.Rules[tiers[k]]
		if !ok || !r.WeakCoverage || now.Sub(f.Start) > maxEventAge {
			continue
		}
		if err := n.tellEvent(ctx, tx, fmt.Sprintf("%s/%d", WeakCoverage, k.id), *f, k.customer, tiers[k], r, now); err != nil {
			return err
		}
	}
	return nil
}

// tellEvent stores an event's facts for one customer and writes one
// message per recipient of the customer's rule, due now (quiet hours
// apply: these kinds are not urgent).
func (n *Notifier) tellEvent(ctx context.Context, tx *sql.Tx, ref string, f Facts, customer, tier string, r Rule, now time.Time) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	fref := ref + "/" + customer
	if _, err := tx.ExecContext(ctx, `INSERT INTO notify_event_facts (ref, facts, created_at) VALUES (?, ?, ?)
		ON CONFLICT (ref) DO NOTHING`, fref, string(b), now.UnixMilli()); err != nil {
		return err
	}
	rcpts, err := customerRecipients(ctx, tx, customer, r, n.webhookLang)
	if err != nil {
		return err
	}
	for _, rc := range rcpts {
		due := now
		if q, ok, err := ParseQuietHours(rc.Quiet); err == nil && ok {
			due = q.After(due, n.opts.Location)
		}
		key := fmt.Sprintf("%s/%s/%s", fref, rc.id(), f.Kind)
		res, err := tx.ExecContext(ctx, `INSERT INTO notify_outbox (key, incident_id, event_ref, customer_id, tier, kind, urgent,
			channel, recipient, recipient_name, role, language, status, due_at, next_attempt_at, incident_start, created_at, message_id)
			VALUES (?, 0, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			key, fref, customer, tier, f.Kind, rc.Channel, rc.Address, rc.Name, rc.Role, rc.Language,
			due.UnixMilli(), due.UnixMilli(), f.Start.UnixMilli(), now.UnixMilli(), n.messageID(key))
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n.m.total.WithLabelValues(rc.Channel, f.Kind, "queued").Inc()
		}
	}
	return nil
}

// eventFacts reads an event row's facts (render, webhooks).
func (n *Notifier) eventFacts(ctx context.Context, ref string) (Facts, error) {
	var f Facts
	if err := n.opts.DB.QueryRowContext(ctx, `SELECT facts FROM notify_event_facts WHERE ref = ?`, ref).Scan(jsonInto(&f)); err != nil {
		return f, fmt.Errorf("facts of %s: %w", ref, err)
	}
	return f, nil
}
