package linehealth

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/probes/result"
)

// recordingHook writes a row per incident change in the commit's
// transaction, or fails the commit.
type recordingHook struct{ fail bool }

func (h *recordingHook) IncidentsChanged(ctx context.Context, tx *sql.Tx, in []incident.Incident, now time.Time) error {
	if h.fail {
		return errors.New("hook refuses")
	}
	for _, x := range in {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_incidents (incident_id, facts, updated_at) VALUES (?, '{}', ?)
			ON CONFLICT DO NOTHING`, x.ID, now.UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

// The incident hook runs inside the commit that stores the incident
// change: when it fails, neither the incident nor what it wrote is
// stored (and the commit is retried); when it succeeds, both are.
func TestIncidentHookSharesTheCommit(t *testing.T) {
	f := newFixture(t)
	h := &recordingHook{fail: true}
	f.opts.IncidentHook = h
	m := f.monitor(t)
	count := func(q string) int {
		var n int
		if err := f.db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var failed int
	for s := range 8 {
		at := f.t0.Add(time.Duration(s) * time.Second)
		f.now = at.Add(500 * time.Millisecond)
		rs := []result.Result{ping("L1", at, s < 3), ping("L2", at, true), ping("L9", at, true)}
		if err := m.Handle(context.Background(), "agent-1", rs); err != nil {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("no commit failed although the hook refused every incident change")
	}
	if n, k := count(`SELECT count(*) FROM incidents`), count(`SELECT count(*) FROM notify_incidents`); n != 0 || k != 0 {
		t.Fatalf("with the hook failing: %d incidents and %d hook rows stored, want neither", n, k)
	}
	h.fail = false
	if err := m.tick(context.Background(), f.now); err != nil {
		t.Fatal(err)
	}
	n, k := count(`SELECT count(*) FROM incidents`), count(`SELECT count(*) FROM notify_incidents`)
	if n == 0 || n != k || count(`SELECT count(*) FROM incidents i JOIN notify_incidents x ON x.incident_id = i.id`) != n {
		t.Fatalf("after the hook recovers: %d incidents, %d hook rows; want the same incidents in both", n, k)
	}
}
