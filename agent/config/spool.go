package config

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/yamlstrict"
)

// Spool keeps results on disk until JetStream acknowledged them, so they
// survive an agent restart, a crash and a long NATS outage. Without Dir the
// agent queues in memory (publish.queue_max) and loses what it holds when it
// stops or crashes.
//
//	spool:
//	  dir: /var/lib/vantage-agent/spool
//	  max_bytes: 256MiB
//	  max_age: 168h
//	  fsync: interval
type Spool struct {
	// Dir is the spool directory, an absolute path the agent alone uses.
	// Empty means no disk spool.
	Dir string `yaml:"dir"`
	// MaxBytes bounds the results waiting on disk (default 256MiB; bytes or
	// KiB/MiB/GiB). When full the oldest are dropped and counted in
	// vantage_agent_spool_dropped_total{reason="full"}. Roughly 250 bytes
	// per result: 256MiB holds about a million, a day of 10 targets probed
	// every second.
	MaxBytes ByteSize `yaml:"max_bytes"`
	// MaxAge drops results spooled longer ago than this (default 168h, a
	// week; Go durations have no "d"), counted with reason="age". Older
	// results would land behind the controller's detection window anyway.
	MaxAge time.Duration `yaml:"max_age"`
	// Fsync is when spooled results are forced to disk: always (before a
	// batch counts as spooled), interval (every fsync_interval, the
	// default) or never (the kernel decides, ~30s). A crash of the agent
	// loses nothing in any mode; a power cut loses at most the unsynced
	// part. See agent/spool's documentation.
	Fsync string `yaml:"fsync"`
	// FsyncInterval is the period of fsync: interval (default 1s).
	FsyncInterval time.Duration `yaml:"fsync_interval"`
}

// ByteSize is a size in bytes, written as a plain number or with a unit:
// KiB, MiB, GiB (powers of 1024) or KB, MB, GB (powers of 1000).
type ByteSize int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}

// UnmarshalYAML parses "256MiB". A bad value is a yaml.TypeError so it is
// reported with its line next to the file's other decode errors.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseSize(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: spool.max_bytes: %q is not a size (e.g. 256MiB, 1GiB, or bytes)", n.Line, n.Value)}}
	}
	*b = ByteSize(v)
	return nil
}

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || v > (1<<62)/mult {
		return 0, fmt.Errorf("bad size")
	}
	return v * mult, nil
}

// Set parses a size given on a command line ("20MiB"): a ByteSize is a
// flag.Value.
func (b *ByteSize) Set(s string) error {
	v, err := parseSize(s)
	if err != nil || v == 0 {
		return fmt.Errorf("%q is not a size (e.g. 20MiB, 1GiB, or bytes)", s)
	}
	*b = ByteSize(v)
	return nil
}

// String prints the size with the largest binary unit that divides it.
func (b ByteSize) String() string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b != 0 && int64(b)%u.mult == 0 {
			return fmt.Sprintf("%d%s", int64(b)/u.mult, u.suffix)
		}
	}
	return fmt.Sprintf("%dB", int64(b))
}

// minSpoolBytes keeps room for a few full batches (512KiB each at most).
const minSpoolBytes = 2 << 20

func (s *Spool) setDefaults() {
	if s.Dir == "" {
		return // no spool: nothing to default, and validate refuses the rest
	}
	if s.MaxBytes == 0 {
		s.MaxBytes = 256 << 20
	}
	if s.MaxAge == 0 {
		s.MaxAge = 7 * 24 * time.Hour
	}
	if s.Fsync == "" {
		s.Fsync = "interval"
	}
	if s.FsyncInterval == 0 && s.Fsync == "interval" {
		s.FsyncInterval = time.Second
	}
}

func (c *Config) validateSpool() yamlstrict.Errors {
	var errs yamlstrict.Errors
	s := &c.Spool
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: spool.%s: %s", c.at(c.lineOf("spool", key)), key, fmt.Sprintf(format, args...)))
	}
	if s.Dir == "" {
		if s.MaxBytes != 0 || s.MaxAge != 0 || s.Fsync != "" || s.FsyncInterval != 0 {
			bad("dir", "is required when other spool settings are given (without it results are queued in memory)")
		}
		return errs
	}
	if !filepath.IsAbs(s.Dir) {
		bad("dir", "%q must be an absolute path", s.Dir)
	}
	if s.MaxBytes < minSpoolBytes {
		bad("max_bytes", "%s is smaller than %s: the spool must hold a few full batches", s.MaxBytes, ByteSize(minSpoolBytes))
	}
	if s.MaxAge < time.Minute {
		bad("max_age", "%s is shorter than 1m", s.MaxAge)
	}
	switch s.Fsync {
	case "always", "never":
		if s.FsyncInterval != 0 {
			bad("fsync_interval", "is only used with fsync: interval (fsync is %q)", s.Fsync)
		}
	case "interval":
		if s.FsyncInterval < 10*time.Millisecond || s.FsyncInterval > time.Minute {
			bad("fsync_interval", "%s is outside 10ms..1m", s.FsyncInterval)
		}
	default:
		bad("fsync", "%q is not one of always, interval, never", s.Fsync)
	}
	return errs
}
