package linehealth

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/cause"
	"github.com/vantage-net/vantage/controller/linestate"
)

// Live and final events.
//
// The detector's final events trail its lateness horizon (15 min by
// default). So that a line's flaps and outages count at once, the Monitor
// also stores the detector's live set (linestate.LiveSet: the provisional
// view's flaps and outages) as rows with final = 0 (migration 0011), and
// reconciles them in the commit:
//
//   - a live event is matched to the line's provisional row of the same
//     kind and start, else to one it overlaps; a match whose kind, start or
//     end differ is updated in place with a revision (what changed, from
//     what to what, and the late evidence that caused it); no match is a
//     new provisional row;
//   - a provisional row no live event matches any more is retracted:
//     retracted_at set, a revision saying why, the row kept (and shown)
//     but counted nowhere;
//   - a final event takes the provisional row it matches the same way and
//     makes it final under the same id (a revision if it differs), else it
//     is a new final row. A final row with the event's kind and start is
//     the same event produced again (a journal replay, a redelivery) and
//     is only rewritten.
//
// Every step is idempotent: replaying the journal produces the same live
// sets and final events, which find their rows as they left them. So a
// crash between a live row's commit and its final event neither loses the
// event (the row is in the database, the evidence in the snapshot or the
// journal) nor doubles it (the final event finds the row). After a
// restart New reconciles every line's stored provisional rows with the
// restored detector's live sets (resyncLive).
//
// InfluxDB's line_event measurement gets final events only, once each (its
// point is keyed by the event's start): dashboards never count a
// provisional event, nor one twice; they trail the horizon, the API does
// not.

// Revision is one change of a stored event after it was first shown.
type Revision struct {
	At time.Time `json:"at"` // controller clock
	// Change is "revised" (kind, start or end changed), "retracted" (the
	// detector no longer has the event: it counts nowhere) or "reinstated"
	// (a retracted event is back).
	Change string `json:"change"`
	// Final is true for a change made when the event became final.
	Final  bool          `json:"final"`
	Fields []FieldChange `json:"fields,omitempty"`
	// Cause says why, in words; LateEvidence names the sources whose late
	// evidence the detector had just taken in.
	Cause        string         `json:"cause"`
	LateEvidence []LateEvidence `json:"late_evidence,omitempty"`
}

// FieldChange is one field of an event that a revision changed.
type FieldChange struct {
	Field string `json:"field"` // kind, start, end
	From  string `json:"from"`
	To    string `json:"to"`
}

// LateEvidence is evidence of one source that arrived behind the
// detector's live view (out of order, or spooled while a line was down).
type LateEvidence struct {
	Agent   string    `json:"agent"`
	Probe   string    `json:"probe"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Results int       `json:"results"`
}

// eventRow is a stored flap or outage.
type eventRow struct {
	id         int64
	kind       string
	start, end int64 // Unix ms; end 0 while open
	final      bool
	retracted  bool
	revisions  string
}

const eventRowColumns = `id, kind, started_at, coalesce(ended_at, 0), final, retracted_at IS NOT NULL, revisions`

func scanEventRows(rows *sql.Rows) ([]eventRow, error) {
	defer rows.Close()
	var out []eventRow
	for rows.Next() {
		var r eventRow
		if err := rows.Scan(&r.id, &r.kind, &r.start, &r.end, &r.final, &r.retracted, &r.revisions); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// liveRows are line's provisional rows still counted.
func liveRows(ctx context.Context, tx *sql.Tx, line string) ([]eventRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+eventRowColumns+` FROM line_events
		WHERE circuit_id = ? AND final = 0 AND retracted_at IS NULL ORDER BY started_at`, line)
	if err != nil {
		return nil, err
	}
	return scanEventRows(rows)
}

// rowByKey is the row with line, kind and start (the table's unique key).
func rowByKey(ctx context.Context, tx *sql.Tx, line, kind string, start int64) (eventRow, bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+eventRowColumns+` FROM line_events
		WHERE circuit_id = ? AND kind = ? AND started_at = ?`, line, kind, start)
	if err != nil {
		return eventRow{}, false, err
	}
	rs, err := scanEventRows(rows)
	if err != nil || len(rs) == 0 {
		return eventRow{}, false, err
	}
	return rs[0], true, nil
}

// overlaps reports whether [s1, e1) and [s2, e2) share time or a start.
func overlaps(s1, e1, s2, e2 int64) bool {
	return s1 == s2 || (s1 < e2 && s2 < e1)
}

// bestMatch is the row of rs (not in used) of the same kind and start as
// [s, e), else the one overlapping it most; nil if none overlaps.
func bestMatch(rs []eventRow, used map[int64]bool, kind string, s, e int64) *eventRow {
	var best *eventRow
	bestOv := int64(-1)
	for i := range rs {
		r := &rs[i]
		if used[r.id] || !overlaps(r.start, r.end, s, e) {
			continue
		}
		if r.kind == kind && r.start == s {
			return r
		}
		if ov := min(r.end, e) - max(r.start, s); ov > bestOv {
			best, bestOv = r, ov
		}
	}
	return best
}

// overlapsFinal reports whether a counted final row of line covers [s, e):
// the live event is one the final view already has (its live form can
// outlast its seal by the reorder slack).
func overlapsFinal(ctx context.Context, tx *sql.Tx, line string, s, e int64) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM line_events WHERE circuit_id = ? AND final = 1
		AND retracted_at IS NULL AND kind IN ('outage', 'flap')
		AND (started_at = ? OR (started_at < ? AND coalesce(ended_at, started_at) > ?))`, line, s, e, s).Scan(&n)
	return n > 0, err
}

// changes lists what differs between a stored row and an event.
func changes(r *eventRow, ev *linestate.Event) []FieldChange {
	var out []FieldChange
	if r.kind != string(ev.Kind) {
		out = append(out, FieldChange{"kind", r.kind, string(ev.Kind)})
	}
	if s := ms(ev.Start); r.start != s {
		out = append(out, FieldChange{"start", msText(r.start), msText(s)})
	}
	if e := ms(ev.End); r.end != e {
		out = append(out, FieldChange{"end", msText(r.end), msText(e)})
	}
	return out
}

func msText(v int64) string {
	if v == 0 {
		return ""
	}
	return fromMS(v).Format(time.RFC3339Nano)
}

// why explains a change of an event spanning [s, e) (Unix ms): the late
// evidence that reached the detector near it, else all the line's recent
// late evidence, else which view changed.
func why(late []linestate.Late, s, e int64, final bool) (string, []LateEvidence) {
	from, to := fromMS(s).Add(-time.Minute), fromMS(max(e, s)).Add(time.Minute)
	var near []linestate.Late
	for _, l := range late {
		if !l.To.Before(from) && !l.From.After(to) {
			near = append(near, l)
		}
	}
	if len(near) == 0 {
		near = late
	}
	if len(near) == 0 {
		if final {
			return "the final view (the lateness horizon passed) differs from the live view", nil
		}
		return "the live view was recomputed", nil
	}
	var parts []string
	evs := make([]LateEvidence, len(near))
	for i, l := range near {
		evs[i] = LateEvidence{Agent: l.Source, Probe: l.Probe, From: l.From, To: l.To, Results: l.N}
		parts = append(parts, fmt.Sprintf("%s (%s, %d results %s to %s)", l.Source, l.Probe, l.N,
			l.From.Format(time.RFC3339), l.To.Format(time.RFC3339)))
	}
	return "late evidence from " + strings.Join(parts, "; "), evs
}

// withRevision returns a row's revisions with rev appended.
func withRevision(revs string, rev Revision) (string, error) {
	var list []Revision
	if revs != "" {
		if err := json.Unmarshal([]byte(revs), &list); err != nil {
			return "", fmt.Errorf("revisions: %w", err)
		}
	}
	b, err := json.Marshal(append(list, rev))
	return string(b), err
}

// rewrite stores ev into row r: its kind, times and figures, final or not,
// counted again, with rev appended unless rev.Change is empty.
func rewrite(ctx context.Context, tx *sql.Tx, r *eventRow, ev *linestate.Event, final bool, rev Revision, now time.Time) error {
	revs := r.revisions
	if rev.Change != "" {
		var err error
		if revs, err = withRevision(revs, rev); err != nil {
			return err
		}
	}
	var finalAt any
	if final {
		finalAt = ms(now)
	}
	_, err := tx.ExecContext(ctx, `UPDATE line_events SET kind = ?, started_at = ?, ended_at = ?, duration_s = ?, loss_pct = ?,
		final = ?, final_at = coalesce(final_at, ?), retracted_at = NULL, revisions = ? WHERE id = ?`,
		string(ev.Kind), ms(ev.Start), nullMS(ev.End), ev.Duration.Seconds(), lossPct(*ev), final, finalAt, revs, r.id)
	return err
}

// retract stops counting row r and says why.
func retract(ctx context.Context, tx *sql.Tx, r *eventRow, rev Revision, now time.Time) error {
	revs, err := withRevision(r.revisions, rev)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE line_events SET retracted_at = ?, revisions = ? WHERE id = ?`, ms(now), revs, r.id)
	return err
}

func insertEvent(ctx context.Context, tx *sql.Tx, ev *linestate.Event, final bool, now time.Time) error {
	var finalAt any
	if final {
		finalAt = ms(now)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, duration_s, loss_pct,
		recorded_at, final, final_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ev.Line, string(ev.Kind), ms(ev.Start), nullMS(ev.End), ev.Duration.Seconds(), lossPct(*ev), ms(now), final, finalAt)
	return err
}

// place stores event ev of line (final or live) into target, the row
// matched for it (nil: none), or into the row holding its key if that is
// another one (a retracted event coming back), which retracts target.
func place(ctx context.Context, tx *sql.Tx, target *eventRow, ev *linestate.Event, final bool, late []linestate.Late, now time.Time) error {
	s := ms(ev.Start)
	exact, ok, err := rowByKey(ctx, tx, ev.Line, string(ev.Kind), s)
	if err != nil {
		return err
	}
	if ok && (target == nil || target.id != exact.id) {
		if target != nil {
			cause := fmt.Sprintf("superseded by event %d, which has the same kind and start", exact.id)
			if err := retract(ctx, tx, target, Revision{At: now, Change: "retracted", Final: final, Cause: cause}, now); err != nil {
				return err
			}
		}
		target = &exact
	}
	if target == nil {
		return insertEvent(ctx, tx, ev, final, now)
	}
	rev := Revision{At: now, Final: final, Fields: changes(target, ev)}
	switch {
	case target.retracted:
		rev.Change = "reinstated"
	case len(rev.Fields) > 0:
		rev.Change = "revised"
	}
	if rev.Change != "" {
		rev.Cause, rev.LateEvidence = why(late, min(target.start, s), max(target.end, ms(ev.End)), final)
	} else if target.final == final {
		return nil // unchanged: a replay
	}
	return rewrite(ctx, tx, target, ev, final, rev, now)
}

// storeFinal stores a final flap or outage (see the top of this file).
func storeFinal(ctx context.Context, tx *sql.Tx, ev *linestate.Event, late []linestate.Late, now time.Time) error {
	exact, ok, err := rowByKey(ctx, tx, ev.Line, string(ev.Kind), ms(ev.Start))
	if err != nil {
		return err
	}
	if ok && exact.final && !exact.retracted {
		// Produced again: rewrite its figures only.
		_, err := tx.ExecContext(ctx, `UPDATE line_events SET ended_at = ?, duration_s = ?, loss_pct = ? WHERE id = ?`,
			nullMS(ev.End), ev.Duration.Seconds(), lossPct(*ev), exact.id)
		return err
	}
	live, err := liveRows(ctx, tx, ev.Line)
	if err != nil {
		return err
	}
	return place(ctx, tx, bestMatch(live, nil, string(ev.Kind), ms(ev.Start), ms(ev.End)), ev, true, late, now)
}

// liveCauses decides the cause of each event of a live set (causes.go),
// so a live event says what failed as soon as it is shown; the caller
// holds mu.
func (mon *Monitor) liveCauses(set linestate.LiveSet) []cause.Decision {
	if len(set.Events) == 0 {
		return nil
	}
	out := make([]cause.Decision, len(set.Events))
	for i, ev := range set.Events {
		out[i], _ = mon.eventCause(ev)
	}
	return out
}

// storeLive reconciles a line's provisional rows with its live set; each
// placed event gets its cause (causes, by index; none if short).
func storeLive(ctx context.Context, tx *sql.Tx, set *linestate.LiveSet, causes []cause.Decision, now time.Time) error {
	rows, err := liveRows(ctx, tx, set.Line)
	if err != nil {
		return err
	}
	used := map[int64]bool{}
	for i := range set.Events {
		ev := &set.Events[i]
		s, e := ms(ev.Start), ms(ev.End)
		if done, err := overlapsFinal(ctx, tx, set.Line, s, e); err != nil || done {
			if err != nil {
				return err
			}
			continue
		}
		target := bestMatch(rows, used, string(ev.Kind), s, e)
		if target != nil {
			used[target.id] = true
		}
		if err := place(ctx, tx, target, ev, false, set.Late, now); err != nil {
			return err
		}
		r, ok, err := rowByKey(ctx, tx, set.Line, string(ev.Kind), s)
		if err != nil {
			return err
		}
		if ok {
			used[r.id] = true // the row place chose, if another
			if i < len(causes) && causes[i].Cause != "" {
				if _, err := tx.ExecContext(ctx, `UPDATE line_events SET cause = ?, cause_note = ? WHERE id = ?`,
					string(causes[i].Cause), causes[i].Note, r.id); err != nil {
					return err
				}
			}
		}
	}
	for i := range rows {
		r := &rows[i]
		if used[r.id] {
			continue
		}
		// place may have retracted it as superseded meanwhile; re-read.
		cur, ok, err := rowByKey(ctx, tx, set.Line, r.kind, r.start)
		if err != nil {
			return err
		}
		if !ok || cur.id != r.id || cur.retracted || cur.final {
			continue
		}
		cause, evs := why(set.Late, r.start, r.end, false)
		cause = "the detector no longer has this " + r.kind + ": " + cause
		if err := retract(ctx, tx, &cur, Revision{At: now, Change: "retracted", Cause: cause, LateEvidence: evs}, now); err != nil {
			return err
		}
	}
	return nil
}

// storeEvent stores one event output in tx: a live set, a final flap or
// outage, or a degradation (final only; upserted by its key).
func storeEvent(ctx context.Context, tx *sql.Tx, ev *storedEvent, now time.Time) error {
	switch {
	case ev.live != nil:
		return storeLive(ctx, tx, ev.live, ev.liveCauses, now)
	case ev.Kind == linestate.Flap || ev.Kind == linestate.Outage:
		return storeFinal(ctx, tx, &ev.Event, ev.late, now)
	}
	var end any
	if !ev.End.IsZero() {
		end = ms(ev.End)
	}
	_, err := tx.ExecContext(ctx, upsertEvent, ev.Line, string(ev.Kind), ms(ev.Start), end,
		ev.Duration.Seconds(), lossPct(ev.Event), ms(now))
	return err
}

// resyncLive has the next commit reconcile every stored provisional row
// with the detector's live sets (after a restore, New): a line whose
// provisional rows the detector no longer has gets an empty set, so they
// are retracted, not left provisional for ever. The caller holds no lock.
func (mon *Monitor) resyncLive(ctx context.Context) error {
	rows, err := mon.opts.DB.QueryContext(ctx, `SELECT DISTINCT circuit_id FROM line_events WHERE final = 0 AND retracted_at IS NULL`)
	if err != nil {
		return fmt.Errorf("linehealth: live events: %w", err)
	}
	stored := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("linehealth: live events: %w", err)
		}
		stored[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("linehealth: live events: %w", err)
	}
	mon.mu.Lock()
	defer mon.mu.Unlock()
	for _, set := range mon.det.Live() {
		if len(set.Events) > 0 || stored[set.Line] {
			mon.pend.addLive(set, mon.liveCauses(set))
		}
		delete(stored, set.Line)
	}
	for line := range stored {
		mon.pend.addLive(linestate.LiveSet{Line: line}, nil)
	}
	return nil
}
