package linehealth

import (
	"slices"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
)

// What incident grouping needs beyond the line: each element's kind and
// how many watched lines hang at or below it (the share of a common cause,
// controller/incident group.go), and each line's probe interval (its
// spread).

// topology counts, for every element, the watched inventory lines at or
// below it; the caller holds mu.
func (c lineCache) topology(watched map[string]struct{}) incident.Topology {
	t := incident.Topology{}
	for id, li := range c {
		if _, ok := watched[id]; !ok || !li.inInventory {
			continue
		}
		for i, e := range li.path {
			el := t[e]
			if i < len(li.kinds) {
				el.Kind = li.kinds[i]
			}
			el.Watched++
			t[e] = el
		}
	}
	return t
}

// incidentLine is what the grouper is told about a line; the caller holds mu.
func (mon *Monitor) incidentLine(id string, li *lineInfo) incident.Line {
	l := li.incidentLine(id)
	l.Interval = mon.cad.interval(id)
	return l
}

// cadence learns each line's probe interval from the event times of its
// probe rounds, per source and probe. Confirmation rounds (marked) are off
// the schedule and skipped; a stream's interval is the median of its last
// few gaps, so neither a round run late by a busy agent nor an odd early
// one passes for it. A line's interval is its fastest stream's, which is
// what places its down time. Gaps longer than maxGap (an agent restarting,
// a silence) are not intervals.
type cadence map[string]map[string]*stream

const (
	gapsKept = 8
	maxGap   = 10 * time.Minute
)

type stream struct {
	last int64
	gaps [gapsKept]int64
	n    int
}

// note takes one accepted piece of evidence; the caller holds mu.
func (c cadence) note(ev *linestate.Evidence) {
	if ev.Kind != linestate.ProbeOK && ev.Kind != linestate.ProbeFail || ev.Confirm {
		return // a confirmation round is off the probe's cadence
	}
	m := c[ev.Line]
	if m == nil {
		m = map[string]*stream{}
		c[ev.Line] = m
	}
	key := ev.Source + "\x00" + ev.Probe
	s := m[key]
	if s == nil {
		s = &stream{}
		m[key] = s
	}
	t := ev.Time.UnixNano()
	if gap := t - s.last; s.last != 0 && gap > 0 && gap <= int64(maxGap) {
		s.gaps[s.n%gapsKept] = gap
		s.n++
	}
	s.last = max(s.last, t)
}

// interval is the line's probe interval, 0 when not known yet.
func (c cadence) interval(line string) time.Duration {
	best := int64(0)
	for _, s := range c[line] {
		n := min(s.n, gapsKept)
		if n == 0 {
			continue
		}
		gaps := s.gaps
		slices.Sort(gaps[:n])
		if med := gaps[n/2]; best == 0 || med < best {
			best = med
		}
	}
	return time.Duration(best)
}

// forget drops the lines keep refuses; the caller holds mu.
func (c cadence) forget(keep func(string) bool) {
	for line := range c {
		if !keep(line) {
			delete(c, line)
		}
	}
}
