package linehealth

import (
	"context"
	"database/sql"
	"fmt"
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
//   - an outage still open is a live event without an end (ended_at
//     NULL): counted at once in outages_24h and in availability up to now;
//     when it ends its row gets the end, and becomes a flap if it ended
//     within the flap threshold, under the same id; no revision (that is
//     its course, not a change of what the detector saw);
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
	if endedShort(target, ev, rev.Fields) {
		// An open outage that ended within the flap threshold is a flap:
		// its course, not a change of what the detector saw.
		rev.Fields = nil
	}
	switch {
	case target.retracted:
		rev.Change = "reinstated"
	case len(rev.Fields) > 0:
		rev.Change = "revised"
	}
	switch {
	case rev.Change != "":
		rev.Cause, rev.LateEvidence = why(late, min(target.start, s), max(target.end, endMS(ev.End)), final)
	case target.final == final && target.end == endMS(ev.End) && target.kind == string(ev.Kind):
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
	return place(ctx, tx, bestMatch(live, nil, string(ev.Kind), ms(ev.Start), endMS(ev.End)), ev, true, late, now)
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
		s, e := ms(ev.Start), endMS(ev.End)
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
		stored[id] = mon.owns(id)
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
	for line, ours := range stored {
		if !ours {
			continue // another partition's
		}
		mon.pend.addLive(linestate.LiveSet{Line: line}, nil)
	}
	return nil
}
