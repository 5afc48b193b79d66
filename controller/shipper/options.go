package shipper

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/vantage-net/vantage/controller/store/influx"
)

// PointWriter writes InfluxDB points; *influx.Writer is the one in use. It
// may block as long as ctx allows (the real one retries until then).
type PointWriter interface {
	Write(ctx context.Context, b *influx.Batch) ([]influx.Rejected, error)
}

// Options configure a Shipper. The zero value of each field means its
// default.
type Options struct {
	// DB is the controller's database (controller/store/sqlite, migration
	// 0008), which holds the queue.
	DB *sql.DB
	// Points is where queued points go. nil makes a Shipper that only
	// queues (a command such as `complaints import` next to the
	// controller, whose own Shipper ships them); its Run fails.
	Points PointWriter
	// MaxQueue bounds the queued points (default 1,000,000, a few hundred
	// MB of line protocol at most). Beyond it the oldest are dropped.
	MaxQueue int
	// BatchSize is how many points one write carries (default 5,000).
	BatchSize int
	// Poll is how often an idle shipper looks at the queue when nobody woke
	// it (default 1s); producers call Wake after they commit.
	Poll time.Duration
	// WriteTimeout bounds one write attempt (default 30s): the writer
	// retries inside it, and the shipper backs off between attempts.
	WriteTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between failed attempts
	// (defaults 500ms and 30s), doubling from one to the other.
	MinBackoff, MaxBackoff time.Duration
	// FinalDrain is how long Run keeps shipping after its context ended
	// (default 5s). What is left stays queued for the next start.
	FinalDrain time.Duration
}

func (o *Options) setDefaults() error {
	if o.DB == nil {
		return errors.New("shipper: DB is required")
	}
	def := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	def(&o.Poll, time.Second)
	def(&o.WriteTimeout, 30*time.Second)
	def(&o.MinBackoff, 500*time.Millisecond)
	def(&o.MaxBackoff, 30*time.Second)
	def(&o.FinalDrain, 5*time.Second)
	if o.MaxQueue <= 0 {
		o.MaxQueue = 1_000_000
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	return nil
}
