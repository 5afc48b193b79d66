package notify

import (
	"context"
	"database/sql"
	"time"
)

// backlogEvery is how often the backlog gauges are refreshed; the
// proactive ratio and the maintenance coverage every minute.
const (
	backlogEvery = 5 * time.Second
	ratioEvery   = time.Minute
)

// refreshLoop keeps the gauges current until ctx ends. It runs beside the
// sender's loop (Run), not in it: before, the proactive ratio (every
// incident of 30 days) ran between two Steps, and on a cluster's long run
// it took minutes, during which nothing was sent (issue 16: 2,299
// messages unsent at the long form's deadline). The backlog gauges are
// refreshed here too, so they show a sender that is stuck.
func (n *Notifier) refreshLoop(ctx context.Context) {
	t := time.NewTicker(backlogEvery)
	defer t.Stop()
	var lastRatio time.Time
	for {
		n.refreshGauge(ctx)
		if time.Since(lastRatio) >= ratioEvery {
			lastRatio = time.Now()
			n.refreshProactive(ctx)
			n.refreshCoverage(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refreshGauge sets the backlog gauges: messages not yet sent, failed or
// cancelled, and how long ago the oldest of those that are due was due
// (0 with none): a backlog an operator must see before customers do.
func (n *Notifier) refreshGauge(ctx context.Context) {
	now := n.opts.Now().UnixMilli()
	var k int64
	var oldest sql.NullInt64
	if err := n.opts.DB.QueryRowContext(ctx, `SELECT count(*), min(CASE WHEN due_at <= ? THEN due_at END) FROM notify_outbox
		WHERE status IN ('pending', 'sending')`, now).Scan(&k, &oldest); err != nil {
		return
	}
	n.m.pending.Set(float64(k))
	age := 0.0
	if oldest.Valid {
		age = float64(now-oldest.Int64) / 1000
	}
	n.m.oldestDue.Set(age)
}
