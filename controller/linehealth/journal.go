package linehealth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/vantage-net/vantage/controller/linestate"
)

// Why a crash at any moment neither loses nor doubles an event.
//
// The ingest acks a message only after Handle returned nil, and Handle
// returns nil only after one transaction committed the evidence the
// message gave the detector (linestate_journal) together with every output
// produced so far: events, incident changes and the points for InfluxDB
// (point_queue). A snapshot is taken with nothing uncommitted and records
// the newest journal row its state includes; its transaction deletes the
// rows up to that one. So at any crash the database holds a snapshot S and
// the journal rows after S, and:
//
//   - evidence of an acked message is in S or in the journal (never lost);
//     evidence of a message not acked was not committed and comes back
//     with the redelivery;
//   - replaying the journal over S rebuilds the detector the crashed
//     process had at its last commit. It may produce again events and
//     final transitions that were already committed. Final events find
//     their row by their identity (circuit, kind, start), live sets are
//     reconciled with the stored live rows (live.go: a live row already
//     stored is matched, not added; its final event makes it final in
//     place), and a re-queued point has the same series and timestamp, so
//     InfluxDB overwrites it: an event is stored once, however often it is
//     produced, and a live event committed before a crash becomes final
//     under its id after it (TestCrashBetweenLiveAndFinal). Provisional transitions of the replay are not given to
//     the incident grouper: the incidents restored from the database
//     already hold their effect, and applying them twice could open an
//     incident twice. An outage learnt late is checked against the down
//     spans rebuilt from those incidents, so it does not open a second
//     late incident either;
//   - a crash between writing the snapshot and committing it leaves the
//     old snapshot and all its rows (one transaction); a crash after
//     leaves the new one, whose deleted rows it contains.
//
// Points reach InfluxDB from point_queue only (controller/shipper), so
// InfluxDB being down or slow never holds up a commit, and a SIGKILL
// while it is down loses nothing the queue holds.

// replay feeds the journal rows after seq to the detector, as the crashed
// process had fed them; their outputs go to mon.pend for the first commit.
// Evidence about lines the inventory does not know is skipped (lines.go,
// forgetUnknown). It returns the newest row replayed and how many it skipped.
func (mon *Monitor) replay(ctx context.Context, after int64) (last int64, skipped int, err error) {
	rows, err := mon.opts.DB.QueryContext(ctx, `SELECT seq, evidence FROM linestate_journal WHERE part = ? AND seq > ? ORDER BY seq`, mon.part(), after)
	if err != nil {
		return 0, 0, fmt.Errorf("read line-state journal: %w", err)
	}
	defer rows.Close()
	last = after
	n, bad := 0, 0
	mon.mu.Lock()
	defer mon.mu.Unlock()
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&last, &raw); err != nil {
			return 0, 0, fmt.Errorf("read line-state journal: %w", err)
		}
		evs, err := journalRow(raw)
		if err != nil {
			bad++ // written by this code; a row it cannot read is skipped, counted and logged below
			continue
		}
		for _, ev := range evs {
			if li, ok := mon.lines[ev.Line]; !ok || !li.inInventory {
				skipped++
				continue
			}
			mon.cause.Observe(ev)
			out, v := mon.det.Add(ev)
			if v == linestate.Accepted {
				mon.cad.note(&ev)
			}
			mon.take(out, true)
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("read line-state journal: %w", err)
	}
	if n+bad > 0 {
		mon.log.Info("line-state journal replayed over the snapshot", "evidence", n, "unreadable", bad)
	}
	if bad > 0 {
		mon.m.writeErrors.WithLabelValues("journal_unreadable").Add(float64(bad))
	}
	return last, skipped, nil
}

// journalRow reads one journal row: a commit's evidence as a JSON array,
// or, written by builds before one row per commit, a single evidence.
func journalRow(raw []byte) ([]linestate.Evidence, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var evs []linestate.Evidence
		err := json.Unmarshal(raw, &evs)
		return evs, err
	}
	var ev linestate.Evidence
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	return []linestate.Evidence{ev}, nil
}
