package complaints

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"time"

	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/probes/result"
)

// Points is where `complaint` points go: *shipper.Shipper, inside the
// transaction that stores the evaluation they describe.
type Points interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, pts []shipper.Point) (shipper.Queued, error)
	Committed(q shipper.Queued)
}

// pointTags are the tags of a complaint's point and its time.
type pointTags struct {
	at                                int64 // Unix ns
	customer, grid, category, verdict string
}

// pointTime is a complaint's point time: its received time plus an offset
// below a millisecond taken from its id. Call-centre times are often to
// the minute; without the offset two complaints of one series received at
// the same instant would be one point in InfluxDB (same series, same
// time: the second overwrites the first). The offset is stable, so the
// overwrite with n=0 below hits the same point.
func pointTime(id string, received time.Time) int64 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return received.UnixMilli()*int64(time.Millisecond) + int64(h.Sum32()%uint32(time.Millisecond))
}

func (p pointTags) point(n float64) shipper.Point {
	tags := map[string]string{"customer": p.customer, "grid": p.grid, "category": p.category, "verdict": p.verdict}
	return shipper.Point{Result: result.Result{Time: time.Unix(0, p.at).UTC(), Measurement: "complaint", Tags: tags,
		Fields: map[string]float64{"n": n}}}
}

// trackPoint compares the complaint's point with the one queued last
// (complaint_points) and adds to e.pts what makes InfluxDB agree: nothing
// when equal; n=1 for a new complaint; n=0 on the old series and n=1 on
// the new one when a tag or the time changed. The verdict is a tag and
// changes as late evidence arrives: writing only n=1 again would count the
// complaint once per verdict it ever had. fresh: created in this
// transaction (no row to look up).
func (e *evaluator) trackPoint(ctx context.Context, id string, p pointTags, fresh bool) error {
	if e.s.o.Points == nil {
		return nil
	}
	var old pointTags
	found := false
	if !fresh {
		err := e.tx.QueryRowContext(ctx, `SELECT at_ns, customer, grid, category, verdict FROM complaint_points
			WHERE complaint_id = ?`, id).Scan(&old.at, &old.customer, &old.grid, &old.category, &old.verdict)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	if found && old == p {
		return nil
	}
	if found {
		e.pts = append(e.pts, old.point(0))
	}
	e.pts = append(e.pts, p.point(1))
	_, err := e.tx.ExecContext(ctx, `INSERT INTO complaint_points (complaint_id, at_ns, customer, grid, category, verdict)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (complaint_id) DO UPDATE SET at_ns = excluded.at_ns,
		customer = excluded.customer, grid = excluded.grid, category = excluded.category, verdict = excluded.verdict`,
		id, p.at, p.customer, p.grid, p.category, p.verdict)
	return err
}

// queuePoints queues what the evaluator collected in tx; the caller
// passes the result to Points.Committed after the commit.
func (s *Store) queuePoints(ctx context.Context, tx *sql.Tx, e *evaluator) (shipper.Queued, error) {
	if s.o.Points == nil || len(e.pts) == 0 {
		return shipper.Queued{}, nil
	}
	return s.o.Points.EnqueueTx(ctx, tx, e.pts)
}

func (s *Store) committed(q shipper.Queued) {
	if s.o.Points != nil {
		s.o.Points.Committed(q)
	}
}
