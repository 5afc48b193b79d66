package registry

import (
	"context"

	"github.com/vantage-net/vantage/controller/shipper"
)

// PointQueue takes `agent` points for InfluxDB: *shipper.Shipper, which
// keeps them in the database and ships them, so the registry never waits
// for InfluxDB. Tests pass a fake.
type PointQueue interface {
	Enqueue(ctx context.Context, pts []shipper.Point) error
}

// queuePoints hands pts to the queue. An error means the database refused
// them and the caller keeps them for the next tick. A replay is harmless:
// same measurement, tags and timestamp overwrite the point.
func (r *Registry) queuePoints(ctx context.Context, pts []shipper.Point) error {
	if len(pts) == 0 || r.opts.Points == nil {
		return nil
	}
	return r.opts.Points.Enqueue(ctx, pts)
}
