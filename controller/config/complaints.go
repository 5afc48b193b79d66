package config

import (
	"time"
)

// Complaints tunes complaint linking and judging (controller/complaints).
//
//	complaints:
//	  time_zone: Asia/Shanghai   # naive times in API bodies and imports
//	  window_before: 24h
//	  grid_precision: 7
//	  repeat_count: 3
//	  repeat_days: 30
type Complaints struct {
	// TimeZone is the IANA zone of complaint times given without one (an
	// export's "2026-11-20 08:00"); default UTC. A mapping file's
	// time_zone overrides it for its import.
	TimeZone string `yaml:"time_zone"`
	// WindowBefore is how far before a complaint evidence is looked for
	// (default 24h); evidence counts until the complaint is closed.
	WindowBefore time.Duration `yaml:"window_before"`
	// GridPrecision is the geohash length of a complaint's grid cell:
	// 7 (default) is about 150 m × 150 m, a residential compound.
	GridPrecision int `yaml:"grid_precision"`
	// MaxSiteDistanceM is how far (metres) the nearest site may be from
	// a complaint's coordinates for the complaint to be linked to it
	// (default 2000).
	MaxSiteDistanceM float64 `yaml:"max_site_distance_m"`
	// RepeatCount complaints about one customer, line or grid cell in
	// RepeatDays days make a repeat (defaults 3 in 30).
	RepeatCount int `yaml:"repeat_count"`
	RepeatDays  int `yaml:"repeat_days"`
	// Recheck is how long after it was received or closed a complaint's
	// verdict is recomputed as late evidence arrives (default 168h).
	Recheck time.Duration `yaml:"recheck"`
	// ReevaluateInterval is how often those complaints are judged again
	// (default 1m).
	ReevaluateInterval time.Duration `yaml:"reevaluate_interval"`
}

// Location is TimeZone loaded (validated by Parse).
func (c Complaints) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

func (c *Config) setComplaintsDefaults() {
	p := &c.Complaints
	if p.TimeZone == "" {
		p.TimeZone = "UTC"
	}
	if p.WindowBefore == 0 {
		p.WindowBefore = 24 * time.Hour
	}
	if p.GridPrecision == 0 {
		p.GridPrecision = 7
	}
	if p.MaxSiteDistanceM == 0 {
		p.MaxSiteDistanceM = 2000
	}
	if p.RepeatCount == 0 {
		p.RepeatCount = 3
	}
	if p.RepeatDays == 0 {
		p.RepeatDays = 30
	}
	if p.Recheck == 0 {
		p.Recheck = 7 * 24 * time.Hour
	}
	if p.ReevaluateInterval == 0 {
		p.ReevaluateInterval = time.Minute
	}
}

func (c *Config) validateComplaints(bad func(field, format string, args ...any)) {
	p := c.Complaints
	if _, err := time.LoadLocation(p.TimeZone); err != nil {
		bad("complaints.time_zone", "%q is not an IANA time zone (e.g. Asia/Shanghai)", p.TimeZone)
	}
	if p.WindowBefore < 0 || p.WindowBefore > 30*24*time.Hour {
		bad("complaints.window_before", "%s is outside 0..720h", p.WindowBefore)
	}
	if p.GridPrecision < 1 || p.GridPrecision > 12 {
		bad("complaints.grid_precision", "%d is outside 1..12", p.GridPrecision)
	}
	if p.MaxSiteDistanceM < 0 {
		bad("complaints.max_site_distance_m", "%g must not be negative", p.MaxSiteDistanceM)
	}
	if p.RepeatCount < 2 {
		bad("complaints.repeat_count", "%d: a repeat needs at least 2 complaints", p.RepeatCount)
	}
	if p.RepeatDays < 1 || p.RepeatDays > 3650 {
		bad("complaints.repeat_days", "%d is outside 1..3650", p.RepeatDays)
	}
	if p.Recheck < 0 {
		bad("complaints.recheck", "%s must not be negative", p.Recheck)
	}
	if p.ReevaluateInterval < time.Second {
		bad("complaints.reevaluate_interval", "%s is shorter than 1s", p.ReevaluateInterval)
	}
}
