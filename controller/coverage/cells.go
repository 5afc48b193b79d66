package coverage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/vantage-net/vantage/internal/serve"
)

// CellView is one grid cell as GET /api/v1/coverage/cells shows it.
type CellView struct {
	Cell string `json:"cell"`
	// Score is 0..100; absent when the window held too few samples.
	Score *float64 `json:"score,omitempty"`
	// Weak is true while a weak-coverage event is open.
	Weak bool `json:"weak"`
	// BelowSince is when the score went below the weak score.
	BelowSince *time.Time `json:"below_since,omitempty"`
	// Event is the open weak-coverage event.
	Event       *Event          `json:"event,omitempty"`
	Detail      json.RawMessage `json:"detail"`
	EvaluatedAt time.Time       `json:"evaluated_at"`
}

// Event is a weak-coverage event.
type Event struct {
	ID        int64      `json:"id"`
	Cell      string     `json:"cell"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	MinScore  float64    `json:"min_score"`
	Reason    string     `json:"reason"`
}

// Cells reads every evaluated cell, weakest first (cells without a score last).
func Cells(ctx context.Context, db *sql.DB, weakOnly bool) ([]CellView, error) {
	q := `SELECT c.cell, c.score, c.weak, c.below_since, c.detail, c.evaluated_at,
			e.id, e.started_at, e.min_score, e.reason
		FROM coverage_cells c LEFT JOIN coverage_events e ON e.id = c.open_event`
	if weakOnly {
		q += ` WHERE c.weak = 1`
	}
	rows, err := db.QueryContext(ctx, q+` ORDER BY c.score IS NULL, c.score, c.cell`)
	if err != nil {
		return nil, fmt.Errorf("coverage cells: %w", err)
	}
	defer rows.Close()
	out := []CellView{}
	for rows.Next() {
		var v CellView
		var score, minScore sql.NullFloat64
		var below, evID, evStart sql.NullInt64
		var reason sql.NullString
		var detail string
		var at int64
		if err := rows.Scan(&v.Cell, &score, &v.Weak, &below, &detail, &at, &evID, &evStart, &minScore, &reason); err != nil {
			return nil, fmt.Errorf("coverage cells: %w", err)
		}
		if score.Valid {
			v.Score = &score.Float64
		}
		if below.Valid {
			t := time.UnixMilli(below.Int64).UTC()
			v.BelowSince = &t
		}
		if evID.Valid {
			v.Event = &Event{ID: evID.Int64, Cell: v.Cell, StartedAt: time.UnixMilli(evStart.Int64).UTC(),
				MinScore: minScore.Float64, Reason: reason.String}
		}
		v.Detail = json.RawMessage(detail)
		v.EvaluatedAt = time.UnixMilli(at).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// Events reads the weak-coverage events that overlap [from, to).
func Events(ctx context.Context, db *sql.DB, from, to time.Time) ([]Event, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, cell, started_at, ended_at, min_score, reason FROM coverage_events
		WHERE started_at < ? AND (ended_at IS NULL OR ended_at >= ?) ORDER BY started_at, id`, to.UnixMilli(), from.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("coverage events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var start int64
		var end sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Cell, &start, &end, &e.MinScore, &e.Reason); err != nil {
			return nil, fmt.Errorf("coverage events: %w", err)
		}
		e.StartedAt = time.UnixMilli(start).UTC()
		if end.Valid {
			t := time.UnixMilli(end.Int64).UTC()
			e.EndedAt = &t
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Handler serves GET /api/v1/coverage/cells (?weak=true for weak cells only).
func Handler(db *sql.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		weak := false
		switch r.URL.Query().Get("weak") {
		case "", "false", "0":
		case "true", "1":
			weak = true
		default:
			serve.JSON(w, http.StatusBadRequest, map[string]string{"error": "weak must be true or false", "field": "weak"})
			return
		}
		cells, err := Cells(r.Context(), db, weak)
		if err != nil {
			serve.JSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
			return
		}
		serve.JSON(w, http.StatusOK, map[string]any{"cells": cells})
	})
}
