package config

import (
	"path/filepath"
	"time"
)

// InfluxQueue configures the write-behind queue between the ingest and
// InfluxDB (controller/writebehind): results are acked once line health
// took them and their points are on local disk, and InfluxDB is written
// from there, so line health never waits for InfluxDB. Not used in
// cluster mode, whose partitions write InfluxDB before they ack.
type InfluxQueue struct {
	// Enabled turns the queue on (default true). false writes InfluxDB
	// in the ingest's ack path, as before issue 16: a slow InfluxDB then
	// holds up line health.
	Enabled *bool `yaml:"enabled"`
	// Dir holds the queue's files (default DataDir/influx-queue). Local
	// disk, one controller per directory.
	Dir string `yaml:"dir"`
	// MaxBytes bounds the queue on disk (default 10 GiB, at least 64 MiB).
	// When full, results wait in JetStream instead (back-pressure, no
	// loss) until InfluxDB catches up.
	MaxBytes int64 `yaml:"max_bytes"`
	// Fsync is when the queue forces its writes to disk: interval
	// (default, each second, as the embedded JetStream), always or never.
	// A controller crash loses nothing in any of them; a power cut up to
	// the interval.
	Fsync string `yaml:"fsync"`
	// Linger is how long a write to InfluxDB waits to fill to max_points
	// (default 1s, at most 10s): larger requests cost InfluxDB less CPU
	// per point.
	Linger time.Duration `yaml:"linger"`
	// MaxPoints is the most points per drain round, sent as requests of
	// influx.batch_size two at a time (default 10000).
	MaxPoints int `yaml:"max_points"`
}

func (c *Config) setInfluxQueueDefaults() {
	q := &c.InfluxQueue
	if q.Enabled == nil {
		on := true
		q.Enabled = &on
	}
	if q.Dir == "" {
		q.Dir = filepath.Join(c.DataDir, "influx-queue")
	}
	if q.MaxBytes == 0 {
		q.MaxBytes = 10 << 30
	}
	if q.Fsync == "" {
		q.Fsync = "interval"
	}
	if q.Linger == 0 {
		q.Linger = time.Second
	}
	if q.MaxPoints == 0 {
		q.MaxPoints = 10_000
	}
}

func (c *Config) validateInfluxQueue(bad func(field, format string, args ...any)) {
	q := c.InfluxQueue
	if q.MaxBytes < 64<<20 {
		bad("influx_queue.max_bytes", "%d is less than 64 MiB (67108864): a few seconds of a large fleet's points", q.MaxBytes)
	}
	switch q.Fsync {
	case "interval", "always", "never":
	default:
		bad("influx_queue.fsync", "%q is not one of interval, always, never", q.Fsync)
	}
	if q.Linger < 0 || q.Linger > 10*time.Second {
		bad("influx_queue.linger", "%s is outside 0..10s", q.Linger)
	}
	if q.MaxPoints < 0 || q.MaxPoints > 1_000_000 {
		bad("influx_queue.max_points", "%d is outside 1..1000000", q.MaxPoints)
	}
}
