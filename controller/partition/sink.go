package partition

import (
	"context"

	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/store/influx"
)

// EventSink stores a partition's final line events. It must be idempotent
// by (line, kind, start): after a failover the new owner produces again
// the events of the results its snapshot did not include (package doc).
type EventSink interface {
	Record(ctx context.Context, events []linestate.Event) error
}

// PointWriter writes raw result points (controller/store/influx.Writer).
type PointWriter interface {
	Write(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error)
}
