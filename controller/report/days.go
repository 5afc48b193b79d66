package report

import (
	"sort"
	"time"
)

// days splits events across the period's days (midnight in the report's
// zone: a day of a DST change is 23 or 25 hours long, rightly).
type days struct {
	bounds []int64 // Unix ms of each day's start, then the period's end
	out    []Day
}

func newDays(from, to time.Time, loc *time.Location) *days {
	d := &days{}
	for t := from; t.Before(to); {
		d.bounds = append(d.bounds, t.UnixMilli())
		d.out = append(d.out, Day{Date: t.In(loc).Format("2006-01-02")})
		l := t.In(loc)
		t = time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
	}
	d.bounds = append(d.bounds, to.UnixMilli())
	return d
}

// add counts [start, end) (inside the period) of an event of kind.
func (d *days) add(kind string, start, end int64) {
	if end <= start || kind != "outage" && kind != "flap" && kind != "degraded" {
		return
	}
	i := max(0, sort.Search(len(d.bounds), func(i int) bool { return d.bounds[i] > start })-1)
	for ; i < len(d.out) && d.bounds[i] < end; i++ {
		s := float64(min(end, d.bounds[i+1])-max(start, d.bounds[i])) / 1e3
		if kind == "degraded" {
			d.out[i].DegradedSeconds += s
		} else {
			d.out[i].DownSeconds += s
		}
	}
}
