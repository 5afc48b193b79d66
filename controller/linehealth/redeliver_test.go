package linehealth

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// The ingest hands a message to line health again whenever InfluxDB could
// not take its points (and again after every further failed attempt), and
// redeliveries arrive late, after newer messages. Line health must come
// out exactly as if each message had come once: no journal row, event,
// incident or queued point twice.
func TestRedeliveredMessagesChangeNothing(t *testing.T) {
	run := func(t *testing.T, redeliver bool) (journal, events, incidents, points int) {
		f := newFixture(t)
		m := f.monitor(t)
		var msgs [][]result.Result
		for s := range 40 {
			at := f.t0.Add(time.Duration(s) * time.Second)
			down := s >= 10 && s < 14 // a flap, sealed 5 s (the horizon) after it ends
			msg := []result.Result{ping("L1", at, !down), ping("L2", at, true)}
			msgs = append(msgs, msg)
			f.now = at.Add(500 * time.Millisecond)
			if err := m.Handle(context.Background(), "agent-1", msg); err != nil {
				t.Fatal(err)
			}
			if redeliver {
				// At once (a nak'd message redelivered quickly), then every
				// message so far again: some still pending in the detector,
				// some already sealed, their flap's event stored.
				if err := m.Handle(context.Background(), "agent-1", msg); err != nil {
					t.Fatal(err)
				}
				if s%7 == 6 {
					for _, old := range msgs {
						if err := m.Handle(context.Background(), "agent-1", old); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			if err := m.tick(context.Background(), f.now); err != nil {
				t.Fatal(err)
			}
		}
		journal = journaled(t, f.db)
		for q, p := range map[string]*int{
			`SELECT count(*) FROM line_events`: &events,
			`SELECT count(*) FROM incidents`:   &incidents,
		} {
			if err := f.db.QueryRow(q).Scan(p); err != nil {
				t.Fatal(err)
			}
		}
		return journal, events, incidents, queued(t, f.db)
	}
	j1, e1, i1, p1 := run(t, false)
	j2, e2, i2, p2 := run(t, true)
	if e1 == 0 || i1 == 0 {
		t.Fatalf("the flap left %d events, %d incidents: the test does not flap", e1, i1)
	}
	if j1 != 80 || j2 != j1 || e2 != e1 || i2 != i1 || p2 != p1 {
		t.Errorf("once: journal %d, events %d, incidents %d, queued points %d; redelivered: %d, %d, %d, %d; want the same (journal 80)",
			j1, e1, i1, p1, j2, e2, i2, p2)
	}
}

// journaled counts the evidence in linestate_journal (one row per commit).
func journaled(t *testing.T, db *sql.DB) int {
	t.Helper()
	rows, err := db.Query(`SELECT evidence FROM linestate_journal`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		evs, err := journalRow(raw)
		if err != nil {
			t.Fatalf("journal row %q: %v", raw, err)
		}
		n += len(evs)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}
