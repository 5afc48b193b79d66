package partition_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/fleetsim"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/smtpsink"
)

// storedEvent is one final flap or outage in line_events.
type storedEvent struct {
	Kind      string
	Start     time.Time
	DurationS float64
}

// finalEvents reads every final, not retracted flap and outage per line
// from the shared database (what the API's counts come from).
func finalEvents(ctx context.Context, db *sql.DB) (map[string][]storedEvent, error) {
	rows, err := db.QueryContext(ctx, `SELECT circuit_id, kind, started_at, duration_s FROM line_events
		WHERE kind IN ('flap', 'outage') AND final = 1 AND retracted_at IS NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]storedEvent{}
	for rows.Next() {
		var line string
		var e storedEvent
		var start int64
		if err := rows.Scan(&line, &e.Kind, &start, &e.DurationS); err != nil {
			return nil, err
		}
		e.Start = time.UnixMilli(start).UTC()
		out[line] = append(out[line], e)
	}
	return out, rows.Err()
}

// appendContacts gives every customer of the plan a primary contact with
// an email address, appended to the inventory file.
func appendContacts(path string, plan *fleetsim.Plan) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "contacts:")
	seen := map[string]bool{}
	for _, l := range plan.Lines {
		if !seen[l.Customer] {
			seen[l.Customer] = true
			fmt.Fprintf(w, "  - {id: %s-P, customer: %s, name: Contact %s, role: primary, email: %s@sim.example, language: en}\n",
				l.Customer, l.Customer, l.Customer, l.Customer)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkNotified waits until the outbox has nothing left to send, then
// checks exactly-once across the controllers: every sent row's Message-ID
// reached the SMTP server once, the server got no message the outbox
// does not hold as sent, nothing failed, and every outage incident that
// lasted 30 s or more (far past gold's 1-s delay) has its start message
// sent.
func checkNotified(t *testing.T, ctx context.Context, db *sql.DB, sink *smtpsink.Sink) {
	t.Helper()
	type row struct {
		key, messageID, status, kind string
		incident                     int64
	}
	var rows []row
	lab.WaitFor(t, ctx, time.Second, func() error {
		var open int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM notify_outbox WHERE status IN ('pending', 'sending')`).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return fmt.Errorf("%d notifications not sent yet", open)
		}
		rs, err := db.QueryContext(ctx, `SELECT key, message_id, status, kind, incident_id FROM notify_outbox`)
		if err != nil {
			return err
		}
		defer rs.Close()
		rows = rows[:0]
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.key, &r.messageID, &r.status, &r.kind, &r.incident); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return rs.Err()
	})
	got := sink.Count()
	sent, cancelled := 0, 0
	byID := map[string]bool{}
	started := map[int64]bool{}
	for _, r := range rows {
		switch r.status {
		case "sent":
			sent++
			id := "<" + r.messageID + ">" // as the Message-ID header holds it
			byID[id] = true
			if n := got[id]; n != 1 {
				t.Errorf("notification %s (%s, incident %d): delivered %d times, want once", r.key, r.kind, r.incident, n)
			}
			if r.kind == "outage_start" {
				started[r.incident] = true
			}
		case "cancelled":
			cancelled++
		default:
			t.Errorf("notification %s (%s, incident %d): %s", r.key, r.kind, r.incident, r.status)
		}
	}
	for id, n := range got {
		if !byID[id] {
			t.Errorf("SMTP server got %d messages with Message-ID %s, which no sent outbox row holds", n, id)
		}
	}
	incs, err := db.QueryContext(ctx, `SELECT id FROM incidents WHERE kind = 'outage' AND merged_into IS NULL
		AND ended_at IS NOT NULL AND ended_at - started_at >= 30000`)
	if err != nil {
		t.Fatal(err)
	}
	defer incs.Close()
	long := 0
	for incs.Next() {
		var id int64
		if err := incs.Scan(&id); err != nil {
			t.Fatal(err)
		}
		long++
		if !started[id] {
			t.Errorf("incident %d (an outage of 30 s or more): no start notification sent", id)
		}
	}
	if sent == 0 || long == 0 {
		t.Errorf("%d notifications sent, %d long outage incidents: the test proves nothing", sent, long)
	}
	t.Logf("notifications: %d sent (each delivered once), %d cancelled (outage over before its delay); %d long outage incidents all told",
		sent, cancelled, long)
}
