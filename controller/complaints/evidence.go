package complaints

import (
	"context"
	"database/sql"
	"time"
)

// lineEvidence collects what line health committed about one line in
// [from, to]: its events (line_events), the incidents it was a member of,
// and its current state (line_states). monitored is false when line
// health has no state for it, or only unknown (nothing heard).
type lineEvidence struct {
	items     []Evidence
	monitored bool
	// open: an outage or incident of the line is still open; lastEnd is
	// the latest end of those that closed.
	open    bool
	lastEnd time.Time
	had     bool // any outage, flap or incident
}

func ptime(ms int64) *time.Time {
	t := fromMS(ms)
	return &t
}

// lineRow is one row of lineRows: a line event (src 0), an incident the
// line was a member of (src 1), or the line's state (src 2: kind is the
// state, start its since).
type lineRow struct {
	src        int
	id         int64
	kind       string
	start, end sql.NullInt64
	loss, rtt  sql.NullFloat64
}

// lineRows reads what line health committed about line that overlaps
// [from, to] (Unix ms), and its state, in the order gatherLine reports
// them: events, then incidents, each by start and id, then the state.
func lineRows(ctx context.Context, q querier, line string, from, to int64) ([]lineRow, error) {
	// Events, incidents and the line's state in one statement (one round
	// through the SQL engine per line instead of three). Live events are
	// evidence at once (same id when final); retracted ones are none
	// (controller/linehealth, live.go).
	rows, err := q.QueryContext(ctx, `SELECT 0, id, kind, started_at, ended_at, loss_pct, rtt_ms FROM line_events
			WHERE circuit_id = ?1 AND retracted_at IS NULL AND started_at <= ?2 AND (ended_at IS NULL OR ended_at >= ?3)
		UNION ALL
		SELECT 1, i.id, i.kind, i.started_at, i.ended_at, NULL, NULL FROM incident_lines l
			JOIN incidents i ON i.id = l.incident_id
			WHERE l.circuit_id = ?1 AND i.started_at <= ?2 AND (i.ended_at IS NULL OR i.ended_at >= ?3)
		UNION ALL
		SELECT 2, 0, state, since, NULL, NULL, NULL FROM line_states WHERE circuit_id = ?1
		ORDER BY 1, 4, 2`, line, to, from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lineRow
	for rows.Next() {
		var r lineRow
		if err := rows.Scan(&r.src, &r.id, &r.kind, &r.start, &r.end, &r.loss, &r.rtt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// overlaps: an event or incident row within [from, to] (as lineRows' WHERE).
func (r *lineRow) overlaps(from, to int64) bool {
	return r.src == 2 || r.start.Int64 <= to && (!r.end.Valid || r.end.Int64 >= from)
}

// gatherLine collects line's evidence in [from, to], from the database
// or, with c (a bulk import), from what c read of it before.
func gatherLine(ctx context.Context, q querier, c *lineCache, line string, from, to time.Time) (lineEvidence, error) {
	var rows []lineRow
	var err error
	if c != nil {
		rows, err = c.rows(ctx, q, line, from.UnixMilli(), to.UnixMilli())
	} else {
		rows, err = lineRows(ctx, q, line, from.UnixMilli(), to.UnixMilli())
	}
	if err != nil {
		return lineEvidence{}, err
	}
	return lineEvidenceOf(line, rows), nil
}

func lineEvidenceOf(line string, rows []lineRow) lineEvidence {
	var e lineEvidence
	var state string
	var since sql.NullInt64
	for i := range rows {
		r := &rows[i]
		switch r.src {
		case 2:
			state, since = r.kind, r.start
		case 1:
			e.items = append(e.items, Evidence{Kind: "incident", Line: line, Incident: r.id, Start: ptime(r.start.Int64),
				End: optTime(r.end), Note: r.kind})
			e.track(r.end)
		default:
			it := Evidence{Kind: r.kind, Line: line, EventID: r.id, Start: ptime(r.start.Int64), End: optTime(r.end)}
			if r.loss.Valid {
				it.LossPct = &r.loss.Float64
			}
			if r.rtt.Valid {
				it.RTTMs = &r.rtt.Float64
			}
			e.items = append(e.items, it)
			if r.kind != "degraded" {
				e.track(r.end)
			}
		}
	}
	if state != "" {
		e.monitored = state != "unknown"
		if state == "flapping" {
			e.items = append(e.items, Evidence{Kind: "flapping", Line: line, Start: optTime(since),
				Note: "the line is flapping now"})
		}
	}
	if e.monitored && len(e.items) == 0 {
		e.items = append(e.items, Evidence{Kind: "healthy", Line: line, Start: optTime(since),
			Note: "line health has the line " + state + " with no outage, flap or degradation in the window"})
	}
	if !e.monitored && len(e.items) == 0 {
		e.items = append(e.items, Evidence{Kind: "unmonitored_line", Line: line,
			Note: "line health has no state for this line: no agent's results about it"})
	}
	return e
}

func (e *lineEvidence) track(end sql.NullInt64) {
	e.had = true
	if !end.Valid {
		e.open = true
		return
	}
	if t := fromMS(end.Int64); t.After(e.lastEnd) {
		e.lastEnd = t
	}
}
