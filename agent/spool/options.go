package spool

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	prometheus "github.com/vantage-net/vantage/internal/metrics"

	"github.com/vantage-net/vantage/internal/clock"
)

// Fsync is when appended records and the ack cursor are forced to disk.
type Fsync string

// The fsync policies. Each only matters for a power cut or kernel crash: a
// process crash (kill -9, OOM kill, panic) loses nothing in any of them,
// because every write has reached the kernel's page cache before Push returns
// and the page cache outlives the process.
const (
	// FsyncAlways syncs before Push and Pop return: a power cut loses
	// nothing that was spooled, at one fsync per batch (a few ms on flash).
	FsyncAlways Fsync = "always"
	// FsyncInterval syncs every FsyncInterval (default 1s) in the
	// background: a power cut loses at most that long of batches, and
	// forgets that long of acknowledgements (those are sent again and
	// dropped as duplicates).
	FsyncInterval Fsync = "interval"
	// FsyncNever leaves write-back to the kernel (Linux: dirty pages are
	// written after 30s, vm.dirty_expire_centisecs), so a power cut can
	// lose about the last half minute.
	FsyncNever Fsync = "never"
)

// Options configure a Spool.
type Options struct {
	// Dir holds the segment files and the cursor; created if missing. One
	// agent per directory.
	Dir string
	// MaxBytes bounds the records waiting (framing included). When an
	// append would pass it, the oldest are dropped. The directory may hold
	// up to one segment more: acknowledged records leave disk a segment at
	// a time.
	MaxBytes int64
	// MaxAge drops records spooled longer ago than this; 0 means no limit.
	// Enforced at each append and at open.
	MaxAge time.Duration
	// Fsync is the durability policy; "" means FsyncInterval.
	Fsync Fsync
	// FsyncInterval is the period of FsyncInterval; 0 means 1s.
	FsyncInterval time.Duration
	// SegmentBytes is the size at which a new segment file is started; 0
	// means MaxBytes/8 within 1..16 MiB. Smaller segments return disk
	// sooner after acknowledgements; tests make them tiny.
	SegmentBytes int64
	// Clock stamps records for the age bound; nil means real time.
	Clock clock.Clock
	// Logger reports drops (rate-limited) and damage found at open.
	Logger *slog.Logger
	// Registerer receives the spool's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Dropped is told of every drop: results lost and why ("full", "age",
	// "corrupt" for a record unreadable at send time, "error" for a failed
	// write). The spool counts and logs them itself; this lets the agent
	// keep its own total for heartbeats.
	Dropped func(results int, reason string)
}

func (o *Options) setDefaults() error {
	if o.Dir == "" {
		return fmt.Errorf("spool: no directory")
	}
	if o.MaxBytes <= 0 {
		return fmt.Errorf("spool: max bytes %d must be positive", o.MaxBytes)
	}
	switch o.Fsync {
	case "":
		o.Fsync = FsyncInterval
	case FsyncAlways, FsyncInterval, FsyncNever:
	default:
		return fmt.Errorf("spool: fsync %q is not one of always, interval, never", o.Fsync)
	}
	if o.FsyncInterval <= 0 {
		o.FsyncInterval = time.Second
	}
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = min(max(o.MaxBytes/8, 1<<20), 16<<20)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}
