package shipper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/store/influx"
)

// Run ships queued points until ctx ends, then for at most FinalDrain more
// (what is still queued then is shipped after the next start). It is the
// queue's only reader: run one per database.
func (s *Shipper) Run(ctx context.Context) error {
	if s.opts.Points == nil {
		return errors.New("shipper: Run needs Points (this Shipper only queues)")
	}
	failures := 0
	for ctx.Err() == nil {
		n, err := s.shipOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.m.retries.Inc()
			wait := s.backoff(failures)
			failures++
			s.log.Warn("queued points not shipped; will retry", "err", err, "retry_in", wait, "attempt", failures)
			s.sleep(ctx, wait, false)
		case err == nil && n == s.opts.BatchSize:
			failures = 0 // more waiting: go on at once
		case err == nil:
			if failures > 0 {
				s.log.Info("queued points shipping again", "after_attempts", failures)
			}
			failures = 0
			s.sleep(ctx, s.opts.Poll, true)
		}
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.FinalDrain)
	defer cancel()
	if _, err := s.Drain(dctx); err != nil {
		s.log.Info("points left queued for the next start", "err", err)
	}
	return nil
}

// Drain ships until the queue is empty, and returns how many points it
// shipped and the first failure. Run uses it on the way out; tests use it to
// ship at a moment of their choosing.
func (s *Shipper) Drain(ctx context.Context) (int, error) {
	if s.opts.Points == nil {
		return 0, errors.New("shipper: Drain needs Points (this Shipper only queues)")
	}
	total := 0
	for {
		n, err := s.shipOnce(ctx)
		total += n
		if err != nil || n < s.opts.BatchSize {
			return total, err
		}
	}
}

// sleep waits d, until ctx ends, or (if wakeable) until a producer wakes it.
func (s *Shipper) sleep(ctx context.Context, d time.Duration, wakeable bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	var wake <-chan struct{}
	if wakeable {
		wake = s.wake
	}
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-wake:
	}
}

// backoff doubles from MinBackoff to MaxBackoff.
func (s *Shipper) backoff(failures int) time.Duration {
	d := s.opts.MinBackoff
	for i := 0; i < failures && d < s.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.opts.MaxBackoff)
}

// shipOnce writes the oldest BatchSize queued points and deletes them once
// InfluxDB answered. It returns how many it shipped.
func (s *Shipper) shipOnce(ctx context.Context) (int, error) {
	rows, err := s.opts.DB.QueryContext(ctx, `SELECT seq, point FROM point_queue ORDER BY seq LIMIT ?`, s.opts.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("read point queue: %w", err)
	}
	var b influx.Batch
	var seqs []int64
	for rows.Next() {
		var seq int64
		var p []byte
		if err := rows.Scan(&seq, &p); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read point queue: %w", err)
		}
		b.AddLine(p)
		seqs = append(seqs, seq)
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("read point queue: %w", err)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read point queue: %w", err)
	}
	if b.Len() == 0 {
		return 0, nil
	}
	wctx, cancel := context.WithTimeout(ctx, s.opts.WriteTimeout)
	rejected, err := s.opts.Points.Write(wctx, &b)
	cancel()
	if err != nil {
		return 0, fmt.Errorf("influx: %w", err)
	}
	for _, r := range rejected {
		s.m.dropped.WithLabelValues(reasonRejected).Inc()
		s.log.Warn("InfluxDB refused a queued point; dropped", "point", string(b.Line(r.Index)), "reason", r.Reason)
	}
	// A failed delete ships these points again next time: harmless, the
	// same series and timestamp overwrite themselves. Exactly the rows
	// shipped, not every seq up to the last: on PostgreSQL a producer that
	// took a lower seq may have committed while the batch was written.
	ids, _ := json.Marshal(seqs)
	if _, err := s.opts.DB.ExecContext(ctx, `DELETE FROM point_queue WHERE seq >= ? AND seq <= ?
		AND seq IN (SELECT CAST(value AS BIGINT) FROM json_each(?))`, seqs[0], seqs[len(seqs)-1], string(ids)); err != nil {
		return 0, fmt.Errorf("delete shipped points: %w", err)
	}
	s.m.shipped.Add(float64(b.Len() - len(rejected)))
	if n, err := s.depth(ctx, s.opts.DB); err == nil {
		s.m.depth.Set(float64(n))
	}
	return b.Len(), nil
}
