package linehealth

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/cause"
	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linestate"
)

// Causes of outages and flaps on lines watched from both ends
// (controller/cause decides; this file feeds it and stores what it says).
// An event's cause is decided when the event is produced; an incident's is
// decided when it opens and re-decided every tick while late evidence can
// still change it (until its end is a horizon old), and written with an
// UPDATE of its own columns only when it changed.

// topology answers controller/cause from the inventory: which agents
// watch a line from its A end, and the line's upstream element.
type topology struct {
	watched *inventory.Watched
	element map[string]string
}

func (t topology) CustomerSide(agent, line string) bool {
	return t.watched != nil && t.watched.CustomerSide(agent, line)
}

func (t topology) Element(line string) string { return t.element[line] }

// newTopology builds the topology from the inventory's watch map and the
// lines' element paths (their last element is the upstream element).
func newTopology(w *inventory.Watched, infos map[string]*lineInfo) topology {
	t := topology{watched: w, element: make(map[string]string, len(infos))}
	for id, li := range infos {
		if n := len(li.path); n > 0 {
			t.element[id] = li.path[n-1]
		}
	}
	return t
}

// causeTrack is an incident whose cause may still change.
type causeTrack struct {
	members []incident.Member
	end     time.Time
	last    cause.Decision
	stored  bool
}

// causeRow is an incident's changed cause, to write.
type causeRow struct {
	incident int64
	d        cause.Decision
}

// eventCause decides an outage's or flap's cause; other events have none.
func (mon *Monitor) eventCause(ev linestate.Event) (cause.Decision, bool) {
	if ev.Kind != linestate.Outage && ev.Kind != linestate.Flap {
		return cause.Decision{}, false
	}
	return mon.cause.Decide(ev.Line, ev.Start, ev.End), true
}

// trackIncident notes an incident the grouper changed; the caller holds mu.
func (mon *Monitor) trackIncident(in incident.Incident) {
	// A flapping incident has a cause too: a line cut again and again and
	// customer equipment power-cycling read differently from both ends,
	// judged over the flapping period.
	if in.Kind != incident.Outage && in.Kind != incident.Flapping {
		return
	}
	t := mon.causes[in.ID]
	if t == nil {
		t = &causeTrack{}
		mon.causes[in.ID] = t
	}
	// Affected lines were down or flapping for their own cause before the
	// incident's element failed (controller/incident): not this cause.
	t.members = t.members[:0]
	for _, m := range in.Members {
		if m.Role == incident.RoleCause {
			t.members = append(t.members, m)
		}
	}
	t.end = in.End
}

// decideIncidents re-decides every tracked incident and queues the causes
// that changed; incidents whose end is older than the horizon are final
// and no longer tracked; clock is the detector's (zero: not started,
// nothing is final). The caller holds mu.
func (mon *Monitor) decideIncidents(clock time.Time) {
	ids := make([]int64, 0, len(mon.causes))
	for id := range mon.causes {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		t := mon.causes[id]
		d := mon.incidentCause(t.members)
		if !t.stored || d != t.last {
			t.last, t.stored = d, true
			mon.pend.causes = append(mon.pend.causes, causeRow{incident: id, d: d})
		}
		if !t.end.IsZero() && !clock.IsZero() && clock.Sub(t.end) > mon.det.Horizon()+time.Minute {
			delete(mon.causes, id)
		}
	}
	mon.cause.Trim()
}

// incidentCause is the members' common cause, or unknown when they differ.
func (mon *Monitor) incidentCause(members []incident.Member) cause.Decision {
	if len(members) == 0 {
		return cause.Decision{Cause: cause.Unknown}
	}
	first := mon.cause.Decide(members[0].Line, members[0].Down, members[0].Up)
	if len(members) == 1 {
		return first
	}
	by := map[cause.Cause][]string{first.Cause: {members[0].Line}}
	for _, m := range members[1:] {
		d := mon.cause.Decide(m.Line, m.Down, m.Up)
		by[d.Cause] = append(by[d.Cause], m.Line)
	}
	if len(by) == 1 {
		return cause.Decision{Cause: first.Cause, Note: fmt.Sprintf("every line (%d): %s", len(members), first.Note)}
	}
	var parts []string
	for c, lines := range by {
		parts = append(parts, fmt.Sprintf("%s: %d", c, len(lines)))
	}
	sort.Strings(parts)
	return cause.Decision{Cause: cause.Unknown, Note: "its lines failed for different causes (" + strings.Join(parts, ", ") + ")"}
}

// storeCauses writes the causes of p's events and the incident causes
// that changed, after the events' and incidents' own rows.
func storeCauses(ctx context.Context, tx *sql.Tx, p *outputs) error {
	for _, ev := range p.events {
		if ev.cause.Cause == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE line_events SET cause = ?, cause_note = ?
			WHERE circuit_id = ? AND kind = ? AND started_at = ?`,
			string(ev.cause.Cause), ev.cause.Note, ev.Line, string(ev.Kind), ms(ev.Start)); err != nil {
			return fmt.Errorf("line event cause %s: %w", ev.Line, err)
		}
	}
	for _, c := range p.causes {
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET cause = ?, cause_note = ? WHERE id = ?`,
			string(c.d.Cause), c.d.Note, c.incident); err != nil {
			return fmt.Errorf("incident %d cause: %w", c.incident, err)
		}
	}
	return nil
}

// incidentCauses reads the cause of each incident id.
func incidentCauses(ctx context.Context, db *sql.DB, ids []int64) (map[int64]cause.Decision, error) {
	out := map[int64]cause.Decision{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.QueryContext(ctx, `SELECT id, cause, cause_note FROM incidents WHERE id IN (?`+
		strings.Repeat(",?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("incident causes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c, note string
		if err := rows.Scan(&id, &c, &note); err != nil {
			return nil, err
		}
		out[id] = cause.Decision{Cause: cause.Cause(c), Note: note}
	}
	return out, rows.Err()
}
