package linehealth

import (
	"context"
	"database/sql"
	"math"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
)

// The rows of live.go: line_events rows of flaps and outages, read and
// written inside the commit's transaction.

// eventRow is a stored flap or outage.
type eventRow struct {
	id         int64
	kind       string
	start, end int64 // Unix ms; end 0 while open
	final      bool
	retracted  bool
	revisions  string
}

const eventRowColumns = `id, kind, started_at, coalesce(ended_at, 0), final, retracted_at IS NOT NULL, revisions`

func scanEventRows(rows *sql.Rows) ([]eventRow, error) {
	defer rows.Close()
	var out []eventRow
	for rows.Next() {
		var r eventRow
		if err := rows.Scan(&r.id, &r.kind, &r.start, &r.end, &r.final, &r.retracted, &r.revisions); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// liveRows are line's provisional rows still counted.
func liveRows(ctx context.Context, tx *sql.Tx, line string) ([]eventRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+eventRowColumns+` FROM line_events
		WHERE circuit_id = ? AND final = 0 AND retracted_at IS NULL ORDER BY started_at`, line)
	if err != nil {
		return nil, err
	}
	return scanEventRows(rows)
}

// rowByKey is the row with line, kind and start (the table's unique key).
func rowByKey(ctx context.Context, tx *sql.Tx, line, kind string, start int64) (eventRow, bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+eventRowColumns+` FROM line_events
		WHERE circuit_id = ? AND kind = ? AND started_at = ?`, line, kind, start)
	if err != nil {
		return eventRow{}, false, err
	}
	rs, err := scanEventRows(rows)
	if err != nil || len(rs) == 0 {
		return eventRow{}, false, err
	}
	return rs[0], true, nil
}

// overlaps reports whether [s1, e1) and [s2, e2) share time or a start;
// an end of 0 is an outage still open.
func overlaps(s1, e1, s2, e2 int64) bool {
	e1, e2 = openEnd(e1), openEnd(e2)
	return s1 == s2 || (s1 < e2 && s2 < e1)
}

// openEnd is end, or for an open event (0) the end of time.
func openEnd(end int64) int64 {
	if end == 0 {
		return math.MaxInt64
	}
	return end
}

// bestMatch is the row of rs (not in used) of the same kind and start as
// [s, e), else the one overlapping it most; nil if none overlaps.
func bestMatch(rs []eventRow, used map[int64]bool, kind string, s, e int64) *eventRow {
	var best *eventRow
	bestOv := int64(-1)
	for i := range rs {
		r := &rs[i]
		if used[r.id] || !overlaps(r.start, r.end, s, e) {
			continue
		}
		if r.kind == kind && r.start == s {
			return r
		}
		if ov := min(openEnd(r.end), openEnd(e)) - max(r.start, s); ov > bestOv {
			best, bestOv = r, ov
		}
	}
	return best
}

// overlapsFinal reports whether a counted final row of line covers [s, e):
// the live event is one the final view already has (its live form can
// outlast its seal by the reorder slack).
func overlapsFinal(ctx context.Context, tx *sql.Tx, line string, s, e int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM line_events WHERE circuit_id = ? AND final = 1
		AND retracted_at IS NULL AND kind IN ('outage', 'flap')
		AND (started_at = ? OR (started_at < ? AND coalesce(ended_at, started_at) > ?))`, line, s, openEnd(e), s).Scan(&n)
	return n > 0, err
}

// rewrite stores ev into row r: its kind, times and figures, final or not,
// counted again, with rev appended unless rev.Change is empty.
func rewrite(ctx context.Context, tx *sql.Tx, r *eventRow, ev *linestate.Event, final bool, rev Revision, now time.Time) error {
	revs := r.revisions
	if rev.Change != "" {
		var err error
		if revs, err = withRevision(revs, rev); err != nil {
			return err
		}
	}
	var finalAt any
	if final {
		finalAt = ms(now)
	}
	_, err := tx.ExecContext(ctx, `UPDATE line_events SET kind = ?, started_at = ?, ended_at = ?, duration_s = ?, loss_pct = ?,
		final = ?, final_at = coalesce(final_at, ?), retracted_at = NULL, revisions = ? WHERE id = ?`,
		string(ev.Kind), ms(ev.Start), nullMS(ev.End), ev.Duration.Seconds(), lossPct(*ev), final, finalAt, revs, r.id)
	return err
}

// retract stops counting row r and says why.
func retract(ctx context.Context, tx *sql.Tx, r *eventRow, rev Revision, now time.Time) error {
	revs, err := withRevision(r.revisions, rev)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE line_events SET retracted_at = ?, revisions = ? WHERE id = ?`, ms(now), revs, r.id)
	return err
}

func insertEvent(ctx context.Context, tx *sql.Tx, ev *linestate.Event, final bool, now time.Time) error {
	var finalAt any
	if final {
		finalAt = ms(now)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, duration_s, loss_pct,
		recorded_at, final, final_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.Line, string(ev.Kind), ms(ev.Start), nullMS(ev.End), ev.Duration.Seconds(), lossPct(*ev), ms(now), final, finalAt)
	return err
}
