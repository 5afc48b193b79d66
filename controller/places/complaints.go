package places

import (
	"context"
	"database/sql"
	"time"

	"github.com/vantage-net/vantage/controller/complaints"
)

// StoredComplaints counts the complaints controller/complaints stored, per
// their grid cell as stored (complaints and sites share the geohash
// precision, 7 by default).
func StoredComplaints(db *sql.DB) ComplaintCounts {
	return func(ctx context.Context, from, to time.Time) ([]CellComplaints, error) {
		cs, err := complaints.CellCounts(ctx, db, from, to, 0)
		out := make([]CellComplaints, len(cs))
		for i, x := range cs {
			out[i] = CellComplaints{Cell: x.Cell, Complaints: x.Complaints, Repeats: x.Repeats, WeakSignal: x.WeakSignal, Last: x.Last}
		}
		return out, err
	}
}
