package registry

import (
	"context"

	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/probes/result"
)

// PointWriter writes InfluxDB points; *influx.Writer is the one in use, and
// tests pass a fake.
type PointWriter interface {
	Write(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error)
}

// point is an `agent` point and the agent it is tagged with.
type point struct {
	agent string
	r     result.Result
}

// writePoints writes pts in one batch. Points InfluxDB refuses on their
// own merits are logged and dropped (retrying cannot help); an error means
// none may have been written and the caller keeps them all. A replay is
// harmless: same measurement, tags and timestamp overwrite the point.
func (r *Registry) writePoints(ctx context.Context, pts []point) error {
	if len(pts) == 0 || r.opts.Points == nil {
		return nil
	}
	var b influx.Batch
	for i := range pts {
		if err := b.Add(pts[i].agent, &pts[i].r); err != nil {
			// A bug in building the point (or a site id line protocol
			// cannot carry), not a reason to keep it forever.
			r.m.writeErrors.WithLabelValues("influx_rejected").Inc()
			r.log.Error("agent point not encodable; dropped", "agent", pts[i].agent, "err", err)
		}
	}
	rejected, err := r.opts.Points.Write(ctx, &b)
	if err != nil {
		return err
	}
	for _, rj := range rejected {
		r.m.writeErrors.WithLabelValues("influx_rejected").Inc()
		r.log.Warn("InfluxDB refused an agent point", "point", string(b.Line(rj.Index)), "reason", rj.Reason)
	}
	return nil
}
