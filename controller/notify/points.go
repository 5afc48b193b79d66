package notify

import (
	"context"
	"database/sql"
	"time"

	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/probes/result"
)

// Points is where `notification` points go: *shipper.Shipper.
type Points interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, pts []shipper.Point) (shipper.Queued, error)
	Committed(q shipper.Queued)
}

// queuePoint queues the `notification` point of one delivery outcome
// (sent, retry, failed) in tx, the transaction recording it: latency_s
// runs from the incident's start to the outcome (for a maintenance
// notice or reminder, from its due time: it is announced before its
// window starts). The time is the outcome's, plus an offset below a
// millisecond from the row id and attempt, so two outcomes of one series
// in the same millisecond stay two points.
func (n *Notifier) queuePoint(ctx context.Context, tx *sql.Tx, r row, outcome string, now time.Time) (shipper.Queued, error) {
	if n.opts.Points == nil {
		return shipper.Queued{}, nil
	}
	from := time.UnixMilli(r.IncidentStart)
	if r.Maintenance != 0 {
		from = time.UnixMilli(r.Due)
	}
	off := (r.ID*64 + int64(r.Attempts)) % int64(time.Millisecond)
	at := time.Unix(0, now.UnixMilli()*int64(time.Millisecond)+off).UTC()
	p := shipper.Point{Result: result.Result{Time: at, Measurement: "notification",
		Tags:   map[string]string{"channel": r.Channel, "kind": r.Kind, "outcome": outcome, "tier": r.Tier},
		Fields: map[string]float64{"latency_s": max(0, now.Sub(from).Seconds())}}}
	return n.opts.Points.EnqueueTx(ctx, tx, []shipper.Point{p})
}
