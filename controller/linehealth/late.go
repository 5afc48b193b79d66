package linehealth

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
)

// An outage the controller only learns of late opens no incident on the
// way: while a CPE agent spools behind its cut uplink the line is
// "unknown", and when the spool arrives the provisional view jumps from
// unknown straight to up. The final (sealed) outage event still comes, one
// horizon later; if no incident covered that line at that time, the
// Monitor opens one then, already closed, so the outage is grouped,
// listed and notified like any other (DESIGN: an outage seen late is still
// a notification), only later.
//
// downSpans remembers, per line, when the provisional view had it down
// (what incidents were opened from) for two horizons: long enough for the
// final event of any outage to meet the span that covered it.

// span is one provisional down period, in event-time nanoseconds; to is 0
// while the line is still down.
type span struct{ from, to int64 }

type downSpans map[string][]span

// note records a provisional transition.
func (d downSpans) note(tr linestate.Transition) {
	t := tr.Time.UnixNano()
	ss := d[tr.Line]
	switch {
	case tr.To == linestate.Down:
		if n := len(ss); n == 0 || ss[n-1].to != 0 {
			d[tr.Line] = append(ss, span{from: t})
		}
	case tr.From == linestate.Down:
		if n := len(ss); n > 0 && ss[n-1].to == 0 {
			ss[n-1].to = t
		}
	}
}

// covers reports whether a down span of line overlaps [from, to].
func (d downSpans) covers(line string, from, to time.Time) bool {
	for _, s := range d[line] {
		if s.from <= to.UnixNano() && (s.to == 0 || s.to >= from.UnixNano()) {
			return true
		}
	}
	return false
}

// prune forgets spans that ended before cutoff.
func (d downSpans) prune(cutoff time.Time) {
	c := cutoff.UnixNano()
	for line, ss := range d {
		kept := ss[:0]
		for _, s := range ss {
			if s.to == 0 || s.to >= c {
				kept = append(kept, s)
			}
		}
		if len(kept) == 0 {
			delete(d, line)
		} else {
			d[line] = kept
		}
	}
}

// lateOutage opens (and closes) the incident of a final outage no
// provisional down covered; the caller holds mu.
func (mon *Monitor) lateOutage(ev linestate.Event) {
	if ev.Kind != linestate.Outage || ev.End.IsZero() || ev.Suppressed || mon.down.covers(ev.Line, ev.Start, ev.End) {
		return
	}
	li := mon.lines.info(ev.Line)
	firstNew := mon.grp.NextID()
	changed := mon.grp.Down(mon.incidentLine(ev.Line, li), ev.Start)
	changed = append(changed, mon.grp.Up(ev.Line, ev.End)...)
	for i, in := range changed {
		mon.pend.incidents = append(mon.pend.incidents, in)
		if in.ID >= firstNew && (i == 0 || changed[i-1].ID != in.ID) {
			mon.m.lateIncidents.Inc()
			mon.log.Info("incident opened late: the outage was learnt from late results",
				"id", in.ID, "line", ev.Line, "start", ev.Start, "end", ev.End)
		}
	}
	// The outage is covered now: a replayed final event must not open it twice.
	mon.down[ev.Line] = append(mon.down[ev.Line], span{from: ev.Start.UnixNano(), to: ev.End.UnixNano()})
}

// loadDownSpans rebuilds the spans of incidents that ended within keep of
// the restored detector's clock (or are open), so a restarted controller
// does not open a second incident for an outage whose final event comes
// after the restart. The detector's clock, not the wall clock: after a
// restart longer than keep, the backlog still seals those outages.
func loadDownSpans(ctx context.Context, mon *Monitor, keep time.Duration) error {
	clock := mon.det.Clock()
	if clock.IsZero() {
		clock = mon.opts.Now() // no snapshot: a first start
	}
	rows, err := mon.opts.DB.QueryContext(ctx, `SELECT lines FROM incidents WHERE (ended_at IS NULL OR ended_at >= ?) AND merged_into IS NULL`,
		ms(clock.Add(-keep)))
	if err != nil {
		return fmt.Errorf("read recent incidents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		var members []incident.Member
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(raw), &members); err != nil {
			return fmt.Errorf("read recent incidents: %w", err)
		}
		for _, m := range members {
			if m.Role == incident.RoleAffected || !mon.owns(m.Line) {
				continue // its own incident holds its down span
			}
			s := span{from: m.Down.UnixNano()}
			if !m.Up.IsZero() {
				s.to = m.Up.UnixNano()
			}
			mon.down[m.Line] = append(mon.down[m.Line], s)
		}
	}
	return rows.Err()
}
