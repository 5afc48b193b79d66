package linehealth

import (
	"context"
	"fmt"

	"github.com/vantage-net/vantage/controller/store/influx"
)

// flush writes the outbox: first the database (events and incidents in one
// transaction), then InfluxDB. What fails stays for the next flush and the
// error is returned (Handle's caller then redelivers the message).
func (mon *Monitor) flush(ctx context.Context) error {
	mon.flushMu.Lock()
	defer mon.flushMu.Unlock()
	mon.mu.Lock()
	ob := mon.out.take()
	mon.mu.Unlock()
	if ob.len() == 0 {
		return nil
	}
	err := mon.write(ctx, &ob)
	mon.mu.Lock()
	mon.out.putBack(ob)
	mon.m.outbox.Set(float64(mon.out.len()))
	mon.mu.Unlock()
	return err
}

// write writes what it can of ob and leaves the rest in it.
func (mon *Monitor) write(ctx context.Context, ob *outbox) error {
	if len(ob.events)+len(ob.incidents) > 0 {
		if err := storeOutputs(ctx, mon.opts.DB, ob.events, ob.incidents, mon.opts.Now()); err != nil {
			mon.m.writeErrors.WithLabelValues("database").Inc()
			mon.log.Warn("line events and incidents not stored; will retry", "events", len(ob.events), "incidents", len(ob.incidents), "err", err)
			return fmt.Errorf("linehealth: database: %w", err)
		}
		ob.events, ob.incidents = nil, nil
	}
	if len(ob.points) == 0 {
		return nil
	}
	var b influx.Batch
	for i := range ob.points {
		// An encoding error is a bug in building the point, not a reason
		// to keep it forever.
		if err := b.Add("", &ob.points[i]); err != nil {
			mon.m.writeErrors.WithLabelValues("influx_rejected").Inc()
			mon.log.Error("line point not encodable; dropped", "measurement", ob.points[i].Measurement, "err", err)
		}
	}
	rejected, err := mon.opts.Points.Write(ctx, &b)
	if err != nil {
		mon.m.writeErrors.WithLabelValues("influx").Inc()
		return fmt.Errorf("linehealth: influx: %w", err)
	}
	for _, r := range rejected {
		mon.m.writeErrors.WithLabelValues("influx_rejected").Inc()
		mon.log.Warn("InfluxDB refused a line point", "point", string(b.Line(r.Index)), "reason", r.Reason)
	}
	ob.points = nil
	return nil
}
