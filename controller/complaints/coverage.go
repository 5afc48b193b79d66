package complaints

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// gatherCells collects the weak-coverage evidence of a complaint's place
// (controller/coverage's tables): weak-coverage events of its cells that
// overlap [from, to] are evidence of degradation (the cell below its
// thresholds); a cell coverage scores and finds not weak makes the place
// monitored. cells are the complaint's own cell and its site's inventory
// cell (coverage aggregates by the latter), without duplicates or "".
func (r *resolver) gatherCells(ctx context.Context, cells []string, from, to time.Time) (lineEvidence, error) {
	var e lineEvidence
	q := r.q
	if r.scored == nil {
		if err := r.loadScored(ctx); err != nil {
			return e, err
		}
	}
	for _, cell := range cells {
		sc, ok := r.scored[cell]
		if !ok {
			// Never scored: no weak-coverage event. Agents may still
			// measure the place (comparison tests of a hotspot).
			if err := r.measured(ctx, &e, cell, from, to); err != nil {
				return e, err
			}
			continue
		}
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
		if sc.score.Valid {
			e.monitored = true
			if !sc.weak && len(e.items) == 0 {
				e.items = append(e.items, Evidence{Kind: "coverage_ok", Cell: cell,
					Note: fmt.Sprintf("coverage scores the cell %.0f, not weak", sc.score.Float64)})
			}
		}
	}
	return e, nil
}

// measured adds the cell's measurements in [from, to] (cell_samples:
// radio metrics, throughput, the comparison tests), when it has any, as
// evidence that the place is monitored. Which cells have samples at all
// is read once per transaction.
func (r *resolver) measured(ctx context.Context, e *lineEvidence, cell string, from, to time.Time) error {
	if err := r.loadSampled(ctx); err != nil {
		return err
	}
	if !r.sampled[cell] {
		return nil
	}
	var n sql.NullInt64
	var tests sql.NullString
	if err := r.q.QueryRowContext(ctx, `SELECT sum(n), string_agg(test, ',' ORDER BY test) FROM (SELECT test, count(*) AS n
		FROM cell_samples WHERE cell = ? AND t_ms BETWEEN ? AND ? GROUP BY test) AS t`,
		cell, from.UnixMilli(), to.UnixMilli()).Scan(&n, &tests); err != nil {
		return err
	}
	if n.Int64 > 0 {
		e.monitored = true
		e.items = append(e.items, Evidence{Kind: "measured", Cell: cell,
			Note: fmt.Sprintf("%d measurements of the cell in the window (%s), none judged weak", n.Int64, tests.String)})
	}
	return nil
}

// cellScore is a coverage_cells row.
type cellScore struct {
	score sql.NullFloat64
	weak  bool
}

// loadScored reads coverage's cells once per transaction: hotspot cells
// are few, complaints many.
func (r *resolver) loadScored(ctx context.Context) error {
	r.scored = map[string]cellScore{}
	rows, err := r.q.QueryContext(ctx, `SELECT cell, score, weak FROM coverage_cells`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var cell string
		var sc cellScore
		var weak int
		if err := rows.Scan(&cell, &sc.score, &weak); err != nil {
			return err
		}
		sc.weak = weak == 1
		r.scored[cell] = sc
	}
	return rows.Err()
}

// loadSampled reads which cells have samples at all, once per transaction.
func (r *resolver) loadSampled(ctx context.Context) error {
	if r.sampled != nil {
		return nil
	}
	r.sampled = map[string]bool{}
	rows, err := r.q.QueryContext(ctx, `SELECT DISTINCT cell FROM cell_samples`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		r.sampled[c] = true
	}
	return rows.Err()
}
