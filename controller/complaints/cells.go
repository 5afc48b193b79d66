package complaints

import (
	"context"
	"database/sql"
	"time"
)

// CellCount is the complaints of one grid cell over a window, for the
// places-to-fix ranking (controller/coverage ranks cells by weak
// coverage, complaint density and repeats together).
type CellCount struct {
	// Cell is the geohash, cut to the precision asked for.
	Cell string `json:"cell"`
	// Complaints received in the window, and of those: flagged repeat,
	// about weak signal, and confirmed by the network's own evidence.
	Complaints int `json:"complaints"`
	Repeats    int `json:"repeats"`
	WeakSignal int `json:"weak_signal"`
	Confirmed  int `json:"confirmed"`
	// Last is the latest complaint's receipt.
	Last time.Time `json:"last"`
}

// CellCounts counts complaints per grid cell received in [from, to),
// most complaints first (then latest first, then cell). Cells are cut to
// precision characters (at most complaints.grid_precision; 0 keeps the
// stored cells), so a coarser ranking grid adds up finer cells.
// Complaints without a cell (no coordinates and no site) are not counted.
// It reads db directly, so any package holding the database can call it.
func CellCounts(ctx context.Context, db *sql.DB, from, to time.Time, precision int) ([]CellCount, error) {
	if precision <= 0 {
		precision = 12
	}
	rows, err := db.QueryContext(ctx, `SELECT substr(grid_cell, 1, ?1) AS cell, count(*),
			sum(repeat), sum(CASE WHEN category = 'weak_signal' THEN 1 ELSE 0 END),
			sum(CASE WHEN verdict = 'confirmed' THEN 1 ELSE 0 END), max(received_at)
		FROM complaints
		WHERE grid_cell <> '' AND received_at >= ?2 AND received_at < ?3
		GROUP BY cell
		ORDER BY count(*) DESC, max(received_at) DESC, cell`, precision, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CellCount
	for rows.Next() {
		var c CellCount
		var last int64
		if err := rows.Scan(&c.Cell, &c.Complaints, &c.Repeats, &c.WeakSignal, &c.Confirmed, &last); err != nil {
			return nil, err
		}
		c.Last = fromMS(last)
		out = append(out, c)
	}
	return out, rows.Err()
}
