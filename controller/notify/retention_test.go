package notify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/internal/waitfor"
)

// count returns count(*) of a query over the rig's database.
func (r *rig) count(q string, args ...any) int {
	r.t.Helper()
	var k int
	if err := r.db.QueryRowContext(r.ctx, q, args...).Scan(&k); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
	return k
}

// Retention, run by the sender's loop on its (injected) clock: finished
// notifications older than notify.retention go with their attempts and
// facts; a pending one of the same age stays (still owed), and so do the
// rows of an incident still open (the rule engine reads them to know who
// was told: deleting its start message would send it again).
func TestRetentionPrunesFinishedOnly(t *testing.T) {
	r := newRig(t, emailOnly(), func(o *Options) { o.Retention = 30 * 24 * time.Hour })
	r.customer("D1", "diamond", "a@d1.example", "en")
	r.customer("D2", "diamond", "b@d2.example", "en")
	r.customer("D3", "diamond", "c@d3.example", "en")
	l1 := incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}
	l2 := incident.Line{ID: "L2", Customer: "D2", Tier: "diamond"}
	l3 := incident.Line{ID: "L3", Customer: "D3", Tier: "diamond"}
	// Incident 1: told, recovered (start and end sent). Incident 2: told,
	// still open. Incident 3: its start message pending (due far ahead).
	r.line(l1, linestate.Down, t0)
	r.line(l2, linestate.Down, t0)
	r.at(t0.Add(time.Minute))
	r.send()
	r.line(l1, linestate.Up, t0.Add(2*time.Minute))
	r.send()
	// Line health stores incidents; the rig's hook does not: say which are open.
	r.exec(`INSERT INTO incidents (id, kind, started_at, ended_at, lines, customers, timeline, updated_at) VALUES
		(1, 'outage', ?, ?, '[]', '[]', '[]', 0), (2, 'outage', ?, NULL, '[]', '[]', '[]', 0), (3, 'outage', ?, NULL, '[]', '[]', '[]', 0)`,
		t0.UnixMilli(), t0.Add(2*time.Minute).UnixMilli(), t0.UnixMilli(), t0.UnixMilli())
	r.line(l3, linestate.Down, t0.Add(3*time.Minute))
	r.exec(`UPDATE notify_outbox SET due_at = ?, next_attempt_at = ? WHERE incident_id = 3`,
		t0.Add(1000*time.Hour).UnixMilli(), t0.Add(1000*time.Hour).UnixMilli())
	if got := r.statuses(); got["outage_start/sent"] != 2 || got["outage_end/sent"] != 1 || got["outage_start/pending"] != 1 {
		t.Fatalf("outbox before retention: %v", got)
	}
	attempts := r.count(`SELECT count(*) FROM notify_attempts`)
	r.exec(`INSERT INTO notify_event_facts (ref, facts, created_at) VALUES ('degraded/9/D1', '{}', ?)`, t0.UnixMilli())

	// Within retention: nothing goes.
	r.at(t0.Add(29 * 24 * time.Hour))
	if p, err := r.n.Prune(r.ctx); err != nil || p != (Pruned{}) {
		t.Fatalf("prune within retention: %+v, %v", p, err)
	}
	// Past it, through the sender's loop.
	r.at(t0.Add(31 * 24 * time.Hour))
	ctx, stop := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- r.n.Run(ctx) }()
	// Prune deletes the messages, then the facts, in separate statements:
	// wait for the facts too, not to stop the loop between the two.
	waitfor.Until(t, "incident 1's messages and facts pruned", func() error {
		if k := r.count(`SELECT count(*) FROM notify_outbox WHERE incident_id = 1`); k != 0 {
			return fmt.Errorf("%d rows of incident 1 left", k)
		}
		if k := r.count(`SELECT count(*) FROM notify_event_facts`); k != 0 {
			return fmt.Errorf("%d event facts left", k)
		}
		return nil
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if k := r.count(`SELECT count(*) FROM notify_attempts`); k != attempts-2 {
		t.Errorf("attempts left %d, want %d (incident 1's two gone)", k, attempts-2)
	}
	if k := r.count(`SELECT count(*) FROM notify_incidents WHERE incident_id = 1`) +
		r.count(`SELECT count(*) FROM notify_event_facts`); k != 0 {
		t.Errorf("%d facts of incident 1 and old events kept", k)
	}
	if got := r.statuses(); got["outage_start/sent"] != 1 || got["outage_start/pending"] != 1 || got["outage_end/sent"] != 0 {
		t.Errorf("outbox after retention: %v, want incident 2's sent start (open) and incident 3's pending start", got)
	}
	if k := r.count(`SELECT count(*) FROM notify_incidents WHERE incident_id IN (2, 3)`); k != 2 {
		t.Errorf("facts of open incidents: %d, want 2", k)
	}
}
