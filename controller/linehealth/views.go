package linehealth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
)

// ErrNotFound is returned for an unknown line or incident.
var ErrNotFound = errors.New("not found")

// LineView is one line as the API shows it. The figures come from the
// stored events, live and final alike (each counted once: a live event
// becomes final in place, live.go), not from retracted ones; an outage
// still open is a live event without an end, counted in outages_24h and
// in availability up to now. Availability is the share of
// the window the line was not in an outage or flap the detector saw: time
// in "unknown" (no evidence) is not counted as down, and neither is time
// before the line was first watched.
type LineView struct {
	ID       string    `json:"id"`
	Customer string    `json:"customer,omitempty"`
	Tier     string    `json:"tier,omitempty"`
	State    string    `json:"state"`
	Since    time.Time `json:"since,omitzero"`
	// InInventory is false for a line known only from results' line tags.
	InInventory     bool    `json:"in_inventory"`
	Flaps24h        int     `json:"flaps_24h"`
	Outages24h      int     `json:"outages_24h"`
	Availability24h float64 `json:"availability_24h"` // percent
	Availability7d  float64 `json:"availability_7d"`  // percent
	Availability30d float64 `json:"availability_30d"` // percent
	// Penalty is the dampening penalty as of the lateness horizon ago
	// (where the detector has sealed the line), from the committed state.
	Penalty float64 `json:"penalty"`
}

// EventView is one stored line event.
type EventView struct {
	// ID stays the event's through its life: live, revised, final.
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end,omitzero"`
	DurationS float64   `json:"duration_s"`
	LossPct   float64   `json:"loss_pct"`
	// Cause is what failed, for an outage or flap: line (both ends lost
	// each other), customer_premises (the customer's equipment went
	// silent: off, not a cut line), watcher_uplink (the network-side
	// watcher lost its own uplink) or unknown (controller/cause).
	Cause string `json:"cause,omitempty"`
	// CauseNote says why, in operator terms; shown to admin and ops only
	// (it may name other customers' lines and the agents).
	CauseNote string `json:"cause_note,omitempty"`
	// Open is true for an outage still going on: a live event with no end
	// yet, counted at once (outages_24h, availability up to now). When it
	// ends it gets its end under the same id (live.go).
	Open bool `json:"open,omitempty"`
	// Final is false while the event is live: the detector's view so far,
	// which late evidence may still change until the lateness horizon
	// has passed (live.go).
	Final bool `json:"final"`
	// Retracted is when the detector dropped a live event (late evidence
	// showed no such flap or outage); it is shown, not counted.
	Retracted time.Time `json:"retracted,omitzero"`
	// Revisions are the changes since the event was first shown, oldest
	// first, each with its cause.
	Revisions []Revision `json:"revisions"`
}

// LineDetail is GET /api/v1/lines/{id}.
type LineDetail struct {
	LineView
	Inventory *inventory.Line `json:"inventory,omitempty"`
	// Events are the line's stored events of the last 24 hours and any
	// outage still open, newest first: live (final false) and final ones,
	// and retracted ones marked.
	Events []EventView `json:"events"`
	// Incidents are the ids of the line's incidents, newest first (at most 50).
	Incidents []int64 `json:"incidents"`
}

// IncidentSummary is one row of GET /api/v1/incidents.
type IncidentSummary struct {
	ID        int64               `json:"id"`
	Kind      incident.Kind       `json:"kind"`
	State     string              `json:"state"`
	Root      string              `json:"root,omitempty"`
	Start     time.Time           `json:"start"`
	End       time.Time           `json:"end,omitzero"`
	Lines     int                 `json:"lines"`
	Customers []incident.Customer `json:"customers"`
	// Cause and CauseNote are as in EventView, for the incident's lines
	// together (unknown when they differ).
	Cause     string `json:"cause,omitempty"`
	CauseNote string `json:"cause_note,omitempty"`
	// MergedInto is the element incident this one became part of.
	MergedInto int64 `json:"merged_into,omitempty"`
}

// IncidentDetail is GET /api/v1/incidents/{id}.
type IncidentDetail struct {
	incident.Incident
	State     string              `json:"state"`
	Customers []incident.Customer `json:"customers"`
	Cause     string              `json:"cause,omitempty"`
	CauseNote string              `json:"cause_note,omitempty"`
}

const day = 24 * time.Hour

// Lines lists the lines scope sees, ordered by id after the id after, at
// most limit; more is true when more follow. The scope is part of the query.
func (rm *ReadModel) Lines(ctx context.Context, scope Scope, after string, limit int) (views []LineView, more bool, err error) {
	views, err = rm.pageViews(ctx, scope, after, limit+1)
	if err != nil {
		return nil, false, err
	}
	more = len(views) > limit
	views = views[:min(limit, len(views))]
	if views == nil {
		views = []LineView{}
	}
	if err := rm.addFigures(ctx, views); err != nil {
		return nil, false, err
	}
	return views, more, nil
}

// windows are the availability windows: 24 h, 7 d and 30 d.
var windows = [3]time.Duration{day, 7 * day, 30 * day}

// addFigures fills the 24-hour counts and the availability over each
// window from line_events, in one query for a whole page of lines.
func (rm *ReadModel) addFigures(ctx context.Context, views []LineView) error {
	if len(views) == 0 {
		return nil
	}
	now := rm.now()
	n, s1, s7, s30 := ms(now), ms(now.Add(-windows[0])), ms(now.Add(-windows[1])), ms(now.Add(-windows[2]))
	idx := make(map[string]int, len(views))
	ids := make([]any, 0, len(views))
	for i, v := range views {
		idx[v.ID] = i
		ids = append(ids, v.ID)
	}
	// Count of events touching the last 24 h, and the overlap of each
	// outage or flap with each window, in ms: over the events that ended
	// after the 30-day window began, then over the open ones (no end yet,
	// counted up to now), each a range of line_events_figures (migration
	// 0072) per line and kind, read from the index alone. One condition,
	// coalesce(ended_at, now) > start of the 30 days, walked every event
	// a line ever had. A line and kind may come in both parts: the loop
	// below adds them up.
	part := func(ended string) string {
		return `SELECT circuit_id, kind,
			sum(CASE WHEN coalesce(ended_at, ?) > ? THEN 1 ELSE 0 END),
			sum(max(0, min(coalesce(ended_at, ?), ?) - max(started_at, ?))),
			sum(max(0, min(coalesce(ended_at, ?), ?) - max(started_at, ?))),
			sum(max(0, min(coalesce(ended_at, ?), ?) - max(started_at, ?)))
		FROM line_events
		WHERE circuit_id IN (?` + strings.Repeat(",?", len(views)-1) + `) AND kind IN ('outage', 'flap') AND ` + ended + `
			AND retracted_at IS NULL AND started_at < ?
		GROUP BY circuit_id, kind`
	}
	sums := []any{n, s1, n, n, s1, n, n, s7, n, n, s30}
	args := make([]any, 0, 2*(len(sums)+len(ids)+2))
	args = append(append(append(append(args, sums...), ids...), s30), n)
	args = append(append(append(args, sums...), ids...), n)
	rows, err := rm.db.QueryContext(ctx, part(`ended_at > ?`)+` UNION ALL `+part(`ended_at IS NULL`), args...)
	if err != nil {
		return fmt.Errorf("line figures: %w", err)
	}
	defer rows.Close()
	down := make([][3]float64, len(views)) // seconds down per window
	for rows.Next() {
		var id, kind string
		var count int
		var downMS [3]float64
		if err := rows.Scan(&id, &kind, &count, &downMS[0], &downMS[1], &downMS[2]); err != nil {
			return err
		}
		i := idx[id]
		if kind == "flap" {
			views[i].Flaps24h += count
		} else {
			views[i].Outages24h += count
		}
		for w := range windows {
			down[i][w] += downMS[w] / 1e3
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range views {
		v := &views[i]
		var avail [3]float64
		for w, length := range windows {
			// An open outage is a stored live event without an end (live.go):
			// the query counts it up to now.
			avail[w] = 100 * max(0, 1-down[i][w]/length.Seconds())
		}
		v.Availability24h, v.Availability7d, v.Availability30d = avail[0], avail[1], avail[2]
	}
	return nil
}

// Line returns one line's view, its inventory record, recent events and
// incidents; a line scope does not see is ErrNotFound, as an unknown one.
func (rm *ReadModel) Line(ctx context.Context, scope Scope, id string) (LineDetail, error) {
	v, ok, err := rm.lineView(ctx, id)
	if err != nil {
		return LineDetail{}, err
	}
	if !ok || !scope.Sees(v.Customer) {
		return LineDetail{}, fmt.Errorf("line %s: %w", id, ErrNotFound)
	}
	d := LineDetail{LineView: v, Events: []EventView{}, Incidents: []int64{}}
	if d.InInventory {
		inv, err := rm.inv.Line(ctx, id)
		switch {
		case err == nil:
			d.Inventory = &inv
		case !errors.Is(err, inventory.ErrNotFound): // not found: removed since the query, shown without its record
			return LineDetail{}, err
		}
	}
	views := []LineView{d.LineView}
	if err := rm.addFigures(ctx, views); err != nil {
		return d, err
	}
	d.LineView = views[0]
	db := rm.db
	rows, err := db.QueryContext(ctx, `SELECT id, kind, started_at, ended_at, coalesce(duration_s, 0), coalesce(loss_pct, 0),
			cause, cause_note, final, retracted_at, revisions
		FROM line_events WHERE circuit_id = ? AND (started_at >= ? OR (kind = 'outage' AND ended_at IS NULL))
		ORDER BY started_at DESC, id DESC LIMIT 1000`,
		id, ms(rm.now().Add(-day)))
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		var e EventView
		var start int64
		var end, retracted sql.NullInt64
		var revs string
		if err := rows.Scan(&e.ID, &e.Kind, &start, &end, &e.DurationS, &e.LossPct, &e.Cause, &e.CauseNote, &e.Final,
			&retracted, &revs); err != nil {
			return d, err
		}
		if !scope.All() {
			e.CauseNote = ""
		}
		e.Start = fromMS(start)
		if end.Valid {
			e.End = fromMS(end.Int64)
		} else {
			e.Open = e.Kind == "outage"
		}
		if retracted.Valid {
			e.Retracted = fromMS(retracted.Int64)
		}
		e.Revisions = []Revision{}
		if err := json.Unmarshal([]byte(revs), &e.Revisions); err != nil {
			return d, fmt.Errorf("line %s event %d: %w", id, e.ID, err)
		}
		d.Events = append(d.Events, e)
	}
	if err := rows.Err(); err != nil {
		return d, err
	}
	irows, err := db.QueryContext(ctx, `SELECT incident_id FROM incident_lines WHERE circuit_id = ? ORDER BY incident_id DESC LIMIT 50`, id)
	if err != nil {
		return d, err
	}
	defer irows.Close()
	for irows.Next() {
		var n int64
		if err := irows.Scan(&n); err != nil {
			return d, err
		}
		d.Incidents = append(d.Incidents, n)
	}
	return d, irows.Err()
}

// Incidents lists the incidents scope sees, newest first: state "open",
// "closed" or "" (both), with ids below before (0: from the newest), at
// most limit; more is true when more follow. The scope is part of the
// query (an incident is listed when one of its lines belongs to a visible
// customer), and each summary counts only what the scope sees: its lines,
// its customers and the start of its earliest visible line.
func (rm *ReadModel) Incidents(ctx context.Context, scope Scope, state string, before int64, limit int) (out []IncidentSummary, more bool, err error) {
	out = []IncidentSummary{}
	// Read in chunks of limit+1 rows (LIMIT in SQL): PostgreSQL plans a
	// query without one for every row, sorting all incidents with their
	// JSON for each page (p50 0.7 s a 100-incident page at 73,000
	// incidents, bench/api); SQLite read lazily either way. A row the scope
	// filter passed but trimIncident hides (it should not happen: see
	// below) only makes another chunk necessary.
	for {
		read, last, err := rm.incidentChunk(ctx, scope, state, before, limit+1, limit, &out, &more)
		if err != nil {
			return nil, false, err
		}
		if more || read < limit+1 {
			break
		}
		before = last
	}
	ids := make([]int64, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	causes, err := incidentCauses(ctx, rm.db, ids)
	if err != nil {
		return nil, false, err
	}
	for i := range out {
		d := causes[out[i].ID]
		out[i].Cause, out[i].CauseNote = string(d.Cause), d.Note
		if !scope.All() {
			out[i].CauseNote = ""
		}
	}
	return out, more, nil
}

// incidentListColumns are incidentColumns without the timeline, which a
// list does not show (up to incident.MaxTimeline entries an incident,
// decoded per row and dropped).
var incidentListColumns = strings.Replace(incidentColumns, " timeline,", " '[]',", 1)

// incidentChunk reads up to n incidents scope sees with ids below before
// (0: from the newest), newest first, appending the visible ones to out
// until it holds limit; one more visible incident sets more. It returns
// how many rows it read and the last row's id.
func (rm *ReadModel) incidentChunk(ctx context.Context, scope Scope, state string, before int64, n, limit int,
	out *[]IncidentSummary, more *bool) (read int, last int64, err error) {
	q := `SELECT ` + incidentListColumns + ` FROM incidents WHERE (CAST(? AS BIGINT) = 0 OR id < ?)` // BIGINT: PostgreSQL takes `? = 0` as int4, and IDs are above 2^32
	args := []any{before, before}
	switch state {
	case "open":
		q += ` AND ended_at IS NULL` // incidents_open_id (migration 0073)
	case "closed":
		q += ` AND ended_at IS NOT NULL`
	}
	if !scope.All() {
		// The scope's incidents by their customers (incident_lines_customer,
		// partial on customer_id <> ''), not every incident newest first
		// asking each for a visible line: an account manager with a fiftieth
		// of the customers walked 46,000 of 73,000 incidents for a page of
		// 1,000 (SQLite 17 ms → 2 ms; PostgreSQL plans both forms alike).
		q += ` AND id IN (SELECT il.incident_id FROM incident_lines il
			WHERE il.customer_id <> '' AND il.customer_id IN (SELECT value FROM json_each(?)))`
		args = append(args, scope.jsonIDs())
	}
	rows, err := rm.db.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, n)...)
	if err != nil {
		return 0, 0, fmt.Errorf("incidents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return 0, 0, err
		}
		read, last = read+1, in.ID
		// incident_lines and the members are written in one transaction,
		// so a listed incident has a visible member; trimIncident's ok is
		// checked all the same, so a disagreement hides rather than leaks.
		in, ok := scope.trimIncident(in)
		if !ok {
			continue
		}
		if len(*out) == limit {
			*more = true
			break
		}
		cs := in.Customers()
		if cs == nil {
			cs = []incident.Customer{}
		}
		*out = append(*out, IncidentSummary{ID: in.ID, Kind: in.Kind, State: in.State(), Root: in.Root, Start: in.Start,
			End: in.End, Lines: len(in.Members), Customers: cs, MergedInto: in.MergedInto})
	}
	return read, last, rows.Err()
}

// Incident returns one incident as scope sees it (see Incidents); one it
// does not see is ErrNotFound, as an unknown one.
func (rm *ReadModel) Incident(ctx context.Context, scope Scope, id int64) (IncidentDetail, error) {
	in, err := scanIncident(rm.db.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return IncidentDetail{}, fmt.Errorf("incident %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return IncidentDetail{}, err
	}
	in, ok := scope.trimIncident(in)
	if !ok {
		return IncidentDetail{}, fmt.Errorf("incident %d: %w", id, ErrNotFound)
	}
	cs := in.Customers()
	if cs == nil {
		cs = []incident.Customer{}
	}
	causes, err := incidentCauses(ctx, rm.db, []int64{in.ID})
	if err != nil {
		return IncidentDetail{}, err
	}
	d := causes[in.ID]
	if rm.extra != nil {
		more, err := rm.extra(ctx, in.ID, scope.Sees)
		if err != nil {
			return IncidentDetail{}, err
		}
		in.Timeline = append(in.Timeline, more...) // after the grouper's entries, in the order they happened
	}
	det := IncidentDetail{Incident: in, State: in.State(), Customers: cs, Cause: string(d.Cause), CauseNote: d.Note}
	if !scope.All() {
		det.CauseNote = ""
	}
	return det, nil
}
