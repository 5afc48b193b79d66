package partition

import (
	"context"

	"github.com/vantage-net/vantage/controller/store/influx"
)

// PointWriter writes raw result points (controller/store/influx.Writer).
type PointWriter interface {
	Write(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error)
}
