package complaints

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// gatherCells collects the weak-coverage evidence of a complaint's place
// (controller/coverage's tables): weak-coverage events of its cells that
// overlap [from, to] are evidence of degradation (the cell below its
// thresholds); a cell coverage scores and finds not weak makes the place
// monitored. cells are the complaint's own cell and its site's inventory
// cell (coverage aggregates by the latter), without duplicates or "".
func gatherCells(ctx context.Context, q querier, cells []string, from, to time.Time) (lineEvidence, error) {
	var e lineEvidence
	for _, cell := range cells {
		rows, err := q.QueryContext(ctx, `SELECT id, started_at, ended_at, min_score, reason FROM coverage_events
			WHERE cell = ? AND started_at <= ? AND (ended_at IS NULL OR ended_at >= ?) ORDER BY started_at, id`,
			cell, to.UnixMilli(), from.UnixMilli())
		if err != nil {
			return e, err
		}
		for rows.Next() {
			var id, start int64
			var end sql.NullInt64
			var score float64
			var reason string
			if err := rows.Scan(&id, &start, &end, &score, &reason); err != nil {
				rows.Close()
				return e, err
			}
			e.items = append(e.items, Evidence{Kind: "weak_coverage", Cell: cell, EventID: id, Start: ptime(start),
				End: optTime(end), Note: fmt.Sprintf("cell below the weak score (lowest %.0f): %s", score, reason)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return e, err
		}
		var score sql.NullFloat64
		var weak int
		err = q.QueryRowContext(ctx, `SELECT score, weak FROM coverage_cells WHERE cell = ?`, cell).Scan(&score, &weak)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return e, err
		case score.Valid:
			e.monitored = true
			if weak == 0 && len(e.items) == 0 {
				e.items = append(e.items, Evidence{Kind: "coverage_ok", Cell: cell,
					Note: fmt.Sprintf("coverage scores the cell %.0f, not weak", score.Float64)})
			}
		}
	}
	return e, nil
}
