package partition_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
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
			return fmt.Errorf("%d notifications not sent yet: %s", open, outboxBreakdown(ctx, db))
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

// outboxBreakdown says where the unsent outbox rows stand: by status and
// attempts, how far their next attempt is from now, and their last error.
func outboxBreakdown(ctx context.Context, db *sql.DB) string {
	rows, err := db.QueryContext(ctx, `SELECT status, attempts, count(*), min(next_attempt_at), max(next_attempt_at),
		min(created_at), max(last_error) FROM notify_outbox WHERE status IN ('pending', 'sending') GROUP BY status, attempts ORDER BY 1, 2`)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	now := time.Now().UnixMilli()
	var b strings.Builder
	for rows.Next() {
		var status string
		var attempts, k int
		var lo, hi, created int64
		var lastErr sql.NullString
		if err := rows.Scan(&status, &attempts, &k, &lo, &hi, &created, &lastErr); err != nil {
			return err.Error()
		}
		fmt.Fprintf(&b, "[%s attempts=%d: %d rows, next attempt in %.0fs..%.0fs, oldest created %.0fs ago, last error %q] ",
			status, attempts, k, float64(lo-now)/1000, float64(hi-now)/1000, float64(now-created)/1000, lastErr.String)
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// logOutbox logs the outbox every 30 s until the test ends: how many
// messages were sent and how many wait (the long form's notification
// check failed once with 2,299 unsent, and this shows when sending stops).
func logOutbox(t *testing.T, ctx context.Context, db *sql.DB) {
	stop, done := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(stop); <-done })
	go func() {
		defer close(done)
		tk := time.NewTicker(30 * time.Second)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tk.C:
			}
			var sent, cancelled int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'cancelled')
				FROM notify_outbox`).Scan(&sent, &cancelled); err != nil {
				continue
			}
			t.Logf("outbox: %d sent, %d cancelled; unsent: %s", sent, cancelled, outboxBreakdown(ctx, db))
		}
	}()
}
