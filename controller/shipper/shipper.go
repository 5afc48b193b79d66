package shipper

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// Point is one point to queue: a result and the agent tag it carries (""
// for points about lines, which carry none).
type Point struct {
	Agent  string
	Result result.Result
}

// Shipper owns the point queue: producers add to it, Run drains it. All
// methods are safe for concurrent use.
type Shipper struct {
	opts Options
	log  *slog.Logger
	m    *metrics
	wake chan struct{}

	dropLog sync.Mutex
	lastLog time.Time // last overflow warning, so a long outage logs once a minute
}

// New returns a Shipper for opts. Metrics are registered with reg (nil: not
// registered).
func New(ctx context.Context, opts Options, log *slog.Logger, reg prometheus.Registerer) (*Shipper, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Shipper{opts: opts, log: log, m: newMetrics(reg), wake: make(chan struct{}, 1)}
	n, err := s.depth(ctx, opts.DB)
	if err != nil {
		return nil, err
	}
	s.m.depth.Set(float64(n))
	if n > 0 {
		log.Info("points queued for InfluxDB from before the restart", "points", n)
	}
	return s, nil
}

// Queued is what EnqueueTx added; pass it to Committed once the
// transaction committed.
type Queued struct {
	points, dropped int
}

// EnqueueTx queues pts inside the caller's transaction: they exist exactly
// when the transaction commits. A point that cannot be encoded is a bug in
// building it, not a reason to fail the transaction: it is logged and
// counted. If the queue grows beyond MaxQueue the oldest rows are deleted
// in the same transaction.
func (s *Shipper) EnqueueTx(ctx context.Context, tx *sql.Tx, pts []Point) (Queued, error) {
	if len(pts) == 0 {
		return Queued{}, nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO point_queue (point) VALUES (?)`)
	if err != nil {
		return Queued{}, fmt.Errorf("queue points: %w", err)
	}
	defer st.Close()
	var b influx.Batch
	var q Queued
	for i := range pts {
		b.Reset()
		if err := b.Add(pts[i].Agent, &pts[i].Result); err != nil {
			s.m.dropped.WithLabelValues(reasonUnencodable).Inc()
			s.log.Error("point not encodable; dropped", "measurement", pts[i].Result.Measurement, "agent", pts[i].Agent, "err", err)
			continue
		}
		if _, err := st.ExecContext(ctx, string(b.Line(0))); err != nil {
			return Queued{}, fmt.Errorf("queue points: %w", err)
		}
		q.points++
	}
	lo, hi, err := bounds(ctx, tx)
	if err != nil {
		return Queued{}, err
	}
	if over := hi - lo + 1 - int64(s.opts.MaxQueue); hi > 0 && over > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM point_queue WHERE seq < ?`, lo+over); err != nil {
			return Queued{}, fmt.Errorf("queue points: drop oldest: %w", err)
		}
		q.dropped = int(over)
	}
	return q, nil
}

// Committed records what a committed EnqueueTx did and wakes Run.
func (s *Shipper) Committed(q Queued) {
	if q.points == 0 {
		return
	}
	if q.dropped > 0 {
		s.m.dropped.WithLabelValues(reasonOverflow).Add(float64(q.dropped))
		s.dropLog.Lock()
		if now := time.Now(); now.Sub(s.lastLog) >= time.Minute {
			s.lastLog = now
			s.log.Warn("point queue full (InfluxDB unreachable for long); oldest points dropped",
				"dropped", q.dropped, "max_queue", s.opts.MaxQueue)
		}
		s.dropLog.Unlock()
	}
	s.m.depth.Add(float64(q.points - q.dropped))
	s.Wake()
}

// Enqueue queues pts in a transaction of its own.
func (s *Shipper) Enqueue(ctx context.Context, pts []Point) error {
	if len(pts) == 0 {
		return nil
	}
	tx, err := s.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("queue points: %w", err)
	}
	defer tx.Rollback()
	q, err := s.EnqueueTx(ctx, tx, pts)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("queue points: %w", err)
	}
	s.Committed(q)
	return nil
}

// Wake tells Run that points were queued.
func (s *Shipper) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// bounds returns the oldest and newest queued seq (0, 0 when empty).
// boundsQuery reads the queue's ends in two index seeks. SQLite answers
// min() or max() alone from the end of the primary key, but both in one
// SELECT with a scan of the whole table: every EnqueueTx of a bulk
// complaint import paid a scan of the growing queue.
const boundsQuery = `SELECT (SELECT min(seq) FROM point_queue), (SELECT max(seq) FROM point_queue)`

func bounds(ctx context.Context, db querier) (lo, hi int64, err error) {
	var l, h sql.NullInt64
	if err := db.QueryRowContext(ctx, boundsQuery).Scan(&l, &h); err != nil {
		return 0, 0, fmt.Errorf("point queue: %w", err)
	}
	return l.Int64, h.Int64, nil
}

func (s *Shipper) depth(ctx context.Context, db querier) (int64, error) {
	lo, hi, err := bounds(ctx, db)
	if err != nil || hi == 0 {
		return 0, err
	}
	return hi - lo + 1, nil
}
