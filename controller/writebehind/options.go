package writebehind

import (
	"errors"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent/spool"
)

// Options configure a Queue. Zero values take the defaults on each field.
type Options struct {
	// Dir holds the spool's segment files and cursor; created if missing.
	// One controller per directory.
	Dir string
	// MaxBytes bounds the points waiting on disk (framing included). An
	// append that would pass it is refused (back-pressure, see the package
	// comment). Default 10 GiB, as the results stream's own bound.
	MaxBytes int64
	// Fsync is when appends and the cursor are forced to disk: "interval"
	// (default, every second, as the embedded JetStream), "always" or
	// "never". A process crash loses nothing in any of them.
	Fsync spool.Fsync
	// MaxPoints is the most points one drain round writes: one
	// influx.Writer.Write, split by the writer into requests of its
	// BatchSize, Parallel at a time. Default 10,000 (2 × 5,000).
	MaxPoints int
	// Linger is how long the drain waits for MaxPoints to gather before it
	// writes fewer: a point reaches InfluxDB at most this much later than
	// it would without the queue (plus the write). Default 1s.
	Linger time.Duration
	// JetStream publishes dead letters of points InfluxDB refuses.
	JetStream jetstream.JetStream
	// Logger; nil discards.
	Logger *slog.Logger
	// Registerer receives the queue's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Now is the clock for the queue's age; nil means time.Now.
	Now func() time.Time
}

func (o *Options) setDefaults() error {
	if o.Dir == "" {
		return errors.New("writebehind: no directory")
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 30
	}
	if o.Fsync == "" {
		o.Fsync = spool.FsyncInterval
	}
	if o.MaxPoints <= 0 {
		o.MaxPoints = 10_000
	}
	if o.Linger <= 0 {
		o.Linger = time.Second
	}
	if o.JetStream == nil {
		return errors.New("writebehind: JetStream is required (dead letters)")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}
