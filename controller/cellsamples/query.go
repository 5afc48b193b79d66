package cellsamples

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Sample is one stored value.
type Sample struct {
	Cell, Test, Network, Site string
	Time                      time.Time
	Value                     float64
}

// Query reads samples whose event time lies in [from, to), optionally of
// one cell ("" for all) and of the given tests (none: all), oldest first.
func Query(ctx context.Context, db *sql.DB, cell string, from, to time.Time, tests ...string) ([]Sample, error) {
	q := `SELECT cell, test, network, site, t_ms, value FROM cell_samples WHERE t_ms >= ? AND t_ms < ?`
	args := []any{from.UnixMilli(), to.UnixMilli()}
	if cell != "" {
		q += ` AND cell = ?`
		args = append(args, cell)
	}
	if len(tests) > 0 {
		q += ` AND test IN (?` + repeat(",?", len(tests)-1) + `)`
		for _, t := range tests {
			args = append(args, t)
		}
	}
	rows, err := db.QueryContext(ctx, q+` ORDER BY t_ms`, args...)
	if err != nil {
		return nil, fmt.Errorf("cell samples: %w", err)
	}
	defer rows.Close()
	var out []Sample
	for rows.Next() {
		var s Sample
		var t int64
		if err := rows.Scan(&s.Cell, &s.Test, &s.Network, &s.Site, &t, &s.Value); err != nil {
			return nil, fmt.Errorf("cell samples: %w", err)
		}
		s.Time = time.UnixMilli(t).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// Prune deletes samples older than before; it returns how many.
func Prune(ctx context.Context, db *sql.DB, before time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM cell_samples WHERE t_ms < ?`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("cell samples: prune: %w", err)
	}
	return res.RowsAffected()
}

// NetworkCells lists the cells with network-tagged samples in [from, to).
func NetworkCells(ctx context.Context, db *sql.DB, from, to time.Time) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT cell FROM cell_samples
		WHERE network <> '' AND t_ms >= ? AND t_ms < ? ORDER BY cell`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("cell samples: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}
