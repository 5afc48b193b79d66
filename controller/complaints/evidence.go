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

func gatherLine(ctx context.Context, q querier, line string, from, to time.Time) (lineEvidence, error) {
	var e lineEvidence
	// Events, incidents and the line's state in one statement (one round
	// through the SQL engine per line instead of three: an import judges
	// 100,000 complaints). Live events are evidence at once (same id when
	// final); retracted ones are none (controller/linehealth, live.go).
	rows, err := q.QueryContext(ctx, `SELECT 0, id, kind, started_at, ended_at, loss_pct, rtt_ms FROM line_events
			WHERE circuit_id = ?1 AND retracted_at IS NULL AND started_at <= ?2 AND (ended_at IS NULL OR ended_at >= ?3)
		UNION ALL
		SELECT 1, i.id, i.kind, i.started_at, i.ended_at, NULL, NULL FROM incident_lines l
			JOIN incidents i ON i.id = l.incident_id
			WHERE l.circuit_id = ?1 AND i.started_at <= ?2 AND (i.ended_at IS NULL OR i.ended_at >= ?3)
		UNION ALL
		SELECT 2, 0, state, since, NULL, NULL, NULL FROM line_states WHERE circuit_id = ?1
		ORDER BY 1, 4, 2`, line, to.UnixMilli(), from.UnixMilli())
	if err != nil {
		return e, err
	}
	var state string
	var since sql.NullInt64
	for rows.Next() {
		var src, id int64
		var start, end sql.NullInt64
		var kind string
		var loss, rtt sql.NullFloat64
		if err := rows.Scan(&src, &id, &kind, &start, &end, &loss, &rtt); err != nil {
			rows.Close()
			return e, err
		}
		if src == 2 {
			state, since = kind, start
			continue
		}
		if src == 1 {
			e.items = append(e.items, Evidence{Kind: "incident", Line: line, Incident: id, Start: ptime(start.Int64),
				End: optTime(end), Note: kind})
			e.track(end)
			continue
		}
		it := Evidence{Kind: kind, Line: line, EventID: id, Start: ptime(start.Int64), End: optTime(end)}
		if loss.Valid {
			it.LossPct = &loss.Float64
		}
		if rtt.Valid {
			it.RTTMs = &rtt.Float64
		}
		e.items = append(e.items, it)
		if kind != "degraded" {
			e.track(end)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return e, err
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
	return e, nil
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
