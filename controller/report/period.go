package report

import (
	"fmt"
	"maps"
	"time"
)

// Period parses a report period in loc. period is week, month or ""
// (then from and to are both needed). from and to are dates
// (2026-11-16, midnight in loc), local times (2026-11-16T08:00) or
// RFC 3339. A week starts on the Monday of from (default: the last whole
// week before now), a month on the first of from's month (default: the
// last whole month).
func Period(period, from, to string, loc *time.Location, now time.Time) (time.Time, time.Time, error) {
	var f, t time.Time
	var err error
	if from != "" {
		if f, err = parseTime(from, loc); err != nil {
			return f, t, fmt.Errorf("from: %w", err)
		}
	}
	if to != "" {
		if t, err = parseTime(to, loc); err != nil {
			return f, t, fmt.Errorf("to: %w", err)
		}
	}
	switch period {
	case "week":
		if f.IsZero() {
			f = WeekStart(now, loc).AddDate(0, 0, -7)
		}
		f = WeekStart(f, loc)
		t = f.AddDate(0, 0, 7)
	case "month":
		if f.IsZero() {
			f = MonthStart(now, loc).AddDate(0, -1, 0)
		}
		f = MonthStart(f, loc)
		t = f.AddDate(0, 1, 0)
	case "":
		if f.IsZero() || t.IsZero() {
			return f, t, fmt.Errorf("period: give --period week|month or both --from and --to")
		}
	default:
		return f, t, fmt.Errorf("period: %q is not week or month", period)
	}
	if !t.After(f) {
		return f, t, fmt.Errorf("to (%s) must be after from (%s)", t.Format(time.RFC3339), f.Format(time.RFC3339))
	}
	return f, t, nil
}

func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2026-11-16), local time (2026-11-16T08:00) or RFC 3339 time", s)
}

// WeekStart is the Monday 00:00 in loc of the week holding t.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	d := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, loc)
}

// MonthStart is the first of t's month 00:00 in loc.
func MonthStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
}

// Targets are DefaultTargets with over's tiers replaced.
func Targets(over map[string]float64) map[string]float64 {
	out := maps.Clone(DefaultTargets)
	maps.Copy(out, over)
	return out
}
