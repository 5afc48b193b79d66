// Package reporttest seeds the report scenario with known truth into a
// controller database: the report tests, the CLI test and the API test
// check every figure against it. It writes the tables as line health,
// complaints and notify commit them.
package reporttest

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Shanghai is the report's zone in the scenario.
var Shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// The scenario's period: the week of Monday 2026-11-16 in Shanghai.
var (
	From = time.Date(2026, 11, 16, 0, 0, 0, 0, Shanghai)
	To   = From.AddDate(0, 0, 7)
	// Now is an hour after the period: L2's outage is still open.
	Now = To.Add(time.Hour)
)

// Customer is the reported customer; Other belongs to another manager.
// Manager's portfolio ranks Customer (SLA missed), C-SH-003 (more outage
// minutes, SLA met), C-SH-004 (a repeat complaint only).
const (
	Customer     = "C-SH-001"
	CustomerName = "上海示例贸易有限公司"
	Manager      = "am-li@example.com"
	Other        = "C-BJ-002"
	OtherManager = "am-wang@example.com"
)

// The scenario (UTC offsets spelled out in Shanghai time, period 604,800 s):
//
//	L1 (own target 99.9 %):
//	  outage A  from−1h .. from+30m        → 1,800 s in the period, restored (5,400 s to repair), incident 5
//	  outage B  11-18 10:00:00 .. 10:20:30 → 1,230 s, restored, incident 1 (rooted at port-7, with L9 of Other)
//	  flap      11-19 11:00:00 .. 11:00:10 → 10 s; provisional flap 11-19 11:02:00 .. :05 → 5 s
//	  flapping  11-19 11:00 .. 11:03 → incident 2
//	  retracted outage 11-20 (1 h): counts nowhere
//	  down 3,045 s → 99.496527… %, missed by 0.403472… %
//	L2 (gold tier default 99.9 %):
//	  degraded  11-17 18:00 .. 19:00 (loss 5 %, RTT 100 ms, jitter 10 ms), 11-18 18:00 .. 18:30 (2 %, 40, 4)
//	  outage    to−600 s, still open at Now → 600 s, incident 6; an outage before the period does not count
//	  down 600 s → 99.900793… %, met
//	complaints: cp1 11-18 10:10 confirmed; cp2 to−300 s confirmed, repeat; cp3 before the period; cp4 of Other
//	messages: incident 1 email + SMS sent 10:03 (before cp1), incident 5's recovery email sent from+60 s,
//	  incident 6 email failed, one sent before the period, one to Other → 3 sent (2 email, 1 SMS)
//	proactive: impacts incident 1 (told first) and 6 (complained, not told); incident 2 lasted 3 min
//	  (< gold's 5 min flapping delay): 1 of 2 → 0.5
func Seed(ctx context.Context, db *sql.DB) error {
	at := func(d, h, m, s int) int64 { return time.Date(2026, 11, d, h, m, s, 0, Shanghai).UnixMilli() }
	from, to, now := From.UnixMilli(), To.UnixMilli(), Now.UnixMilli()
	hour := int64(3600_000)
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO customers (id, name, tier, account_manager) VALUES (?, ?, 'gold', ?), (?, '北京其他公司', 'silver', ?)`,
			[]any{Customer, CustomerName, Manager, Other, OtherManager}},
		// The manager's other customers: C-SH-003 met its SLA with more
		// outage minutes than C-SH-001; C-SH-004 has a repeat complaint only.
		{`INSERT INTO customers (id, name, tier, account_manager) VALUES ('C-SH-003', '浦东物流', 'silver', ?), ('C-SH-004', '徐汇设计', 'standard', ?)`,
			[]any{Manager, Manager}},
		{`INSERT INTO lines (circuit_id, customer_id, z_end) VALUES ('L3', 'C-SH-003', 'SH-PoP-3'), ('L4', 'C-SH-004', 'SH-PoP-4')`, nil},
		{`INSERT INTO line_events (circuit_id, kind, started_at, ended_at, final, loss_pct, recorded_at) VALUES ('L3', 'outage', ?, ?, 1, 100, ?)`,
			[]any{at(20, 1, 0, 0), at(20, 1, 0, 0) + 4000_000, now}},
		{`INSERT INTO complaints (id, received_at, customer_id, category, intake_hash, linked_customer, lines, verdict, repeat, created_at, updated_at)
			VALUES ('cp5', ?, 'C-SH-004', 'slow', 'h', 'C-SH-004', '[]', 'not_observed', 1, ?, ?)`, []any{at(21, 9, 0, 0), now, now}},
		{`INSERT INTO lines (circuit_id, customer_id, z_end, sla_availability_pct) VALUES
			('L1', ?, 'SH-PoP-1', 99.9), ('L2', ?, 'SH-PoP-2', NULL), ('L9', ?, 'BJ-PoP', NULL)`, []any{Customer, Customer, Other}},
		{`INSERT INTO line_events (circuit_id, kind, started_at, ended_at, final, retracted_at, loss_pct, rtt_ms, jitter_ms, recorded_at) VALUES
			('L1', 'outage', ?, ?, 1, NULL, 100, NULL, NULL, ?),
			('L1', 'outage', ?, ?, 1, NULL, 100, NULL, NULL, ?),
			('L1', 'flap', ?, ?, 1, NULL, 100, NULL, NULL, ?),
			('L1', 'flap', ?, ?, 0, NULL, 100, NULL, NULL, ?),
			('L1', 'outage', ?, ?, 1, ?, 100, NULL, NULL, ?),
			('L2', 'degraded', ?, ?, 1, NULL, 5, 100, 10, ?),
			('L2', 'degraded', ?, ?, 1, NULL, 2, 40, 4, ?),
			('L2', 'outage', ?, NULL, 1, NULL, 100, NULL, NULL, ?),
			('L2', 'outage', ?, ?, 1, NULL, 100, NULL, NULL, ?),
			('L9', 'outage', ?, ?, 1, NULL, 100, NULL, NULL, ?)`,
			[]any{from - hour, from + hour/2, now,
				at(18, 10, 0, 0), at(18, 10, 20, 30), now,
				at(19, 11, 0, 0), at(19, 11, 0, 10), now,
				at(19, 11, 2, 0), at(19, 11, 2, 5), now,
				at(20, 9, 0, 0), at(20, 10, 0, 0), now, now,
				at(17, 18, 0, 0), at(17, 19, 0, 0), now,
				at(18, 18, 0, 0), at(18, 18, 30, 0), now,
				to - 600_000, now,
				from - 3*hour, from - 2*hour, now,
				at(18, 10, 0, 0), at(18, 10, 20, 30), now}},
	}
	type inc struct {
		id          int64
		kind        string
		start, end  int64
		root, cause string
		merged      any
		lines       map[string]string // line → customer
		timeline    string
	}
	incs := []inc{
		{5, "outage", from - hour, from + hour/2, "", "line", nil, map[string]string{"L1": Customer}, `[]`},
		{1, "outage", at(18, 10, 0, 0), at(18, 10, 20, 30), "port-7", "line", nil, map[string]string{"L1": Customer, "L9": Other},
			fmt.Sprintf(`[{"time":%q,"line":"L1","what":"opened"},{"time":%q,"line":"L9","what":"joined"},
			{"time":%q,"what":"grouped","note":"2 of 2 lines below port-7 within 4 s"},{"time":%q,"line":"L1","what":"up"},
			{"time":%q,"line":"L9","what":"up"},{"time":%q,"what":"closed"}]`,
				rfc(at(18, 10, 0, 0)), rfc(at(18, 10, 0, 2)), rfc(at(18, 10, 0, 4)), rfc(at(18, 10, 20, 30)), rfc(at(18, 10, 20, 30)), rfc(at(18, 10, 20, 30)))},
		{2, "flapping", at(19, 11, 0, 0), at(19, 11, 3, 0), "", "line", nil, map[string]string{"L1": Customer}, `[]`},
		{3, "outage", at(18, 10, 0, 1), at(18, 10, 0, 2), "", "", int64(1), map[string]string{"L1": Customer}, `[]`},
		{4, "outage", at(18, 10, 0, 0), at(18, 10, 20, 30), "", "line", nil, map[string]string{"L9": Other}, `[]`},
		{6, "outage", to - 600_000, 0, "", "line", nil, map[string]string{"L2": Customer}, `[]`},
		{7, "outage", from - 3*hour, from - 2*hour, "", "line", nil, map[string]string{"L2": Customer}, `[]`},
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	for _, in := range incs {
		var end any
		if in.end != 0 {
			end = in.end
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO incidents (id, kind, root_element, started_at, ended_at, lines, customers, timeline,
			updated_at, cause, merged_into) VALUES (?, ?, ?, ?, ?, '[]', '[]', ?, ?, ?, ?)`,
			in.id, in.kind, in.root, in.start, end, in.timeline, now, in.cause, in.merged); err != nil {
			return fmt.Errorf("seed incident %d: %w", in.id, err)
		}
		var lines string
		for l, c := range in.lines {
			if _, err := db.ExecContext(ctx, `INSERT INTO incident_lines (incident_id, circuit_id, customer_id) VALUES (?, ?, ?)`, in.id, l, c); err != nil {
				return err
			}
			if lines != "" {
				lines += ","
			}
			lines += fmt.Sprintf(`{"line":%q,"customer":%q,"down":%q}`, l, c, rfc(in.start))
		}
		facts := fmt.Sprintf(`{"incident":%d,"kind":%q,"start":%q,"lines":[%s]`, in.id, in.kind, rfc(in.start), lines)
		if in.end != 0 {
			facts += fmt.Sprintf(`,"end":%q`, rfc(in.end))
		}
		if in.merged != nil {
			facts += fmt.Sprintf(`,"merged_into":%d`, in.merged)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO notify_incidents (incident_id, facts, updated_at) VALUES (?, ?, ?)`, in.id, facts+"}", now); err != nil {
			return err
		}
	}
	type cp struct {
		id, customer, verdict string
		at                    int64
		repeat                int
	}
	for _, c := range []cp{{"cp1", Customer, "confirmed", at(18, 10, 10, 0), 0}, {"cp2", Customer, "confirmed", to - 300_000, 1},
		{"cp3", Customer, "confirmed", from - 1000, 0}, {"cp4", Other, "confirmed", at(18, 10, 10, 0), 0}} {
		if _, err := db.ExecContext(ctx, `INSERT INTO complaints (id, received_at, customer_id, category, intake_hash, linked_customer,
			linked_by, lines, verdict, repeat, created_at, updated_at) VALUES (?, ?, ?, 'line_interruption', 'h', ?, 'customer_id', '[]', ?, ?, ?, ?)`,
			c.id, c.at, c.customer, c.customer, c.verdict, c.repeat, now, now); err != nil {
			return fmt.Errorf("seed complaint %s: %w", c.id, err)
		}
	}
	type msg struct {
		incident       int64
		customer, kind string
		channel        string
		status         string
		sent           any
	}
	for i, m := range []msg{
		{1, Customer, "outage_start", "email", "sent", at(18, 10, 3, 0)},
		{1, Customer, "outage_start", "sms", "sent", at(18, 10, 3, 5)},
		{5, Customer, "outage_end", "email", "sent", from + 60_000},
		{6, Customer, "outage_start", "email", "failed", nil},
		{7, Customer, "outage_end", "email", "sent", from - 10_000},
		{4, Other, "outage_start", "email", "sent", at(18, 10, 3, 0)},
	} {
		if _, err := db.ExecContext(ctx, `INSERT INTO notify_outbox (key, incident_id, customer_id, tier, kind, channel, recipient, status,
			due_at, next_attempt_at, incident_start, created_at, sent_at, message_id) VALUES (?, ?, ?, 'gold', ?, ?, 'r', ?, 0, 0, 0, 0, ?, ?)`,
			fmt.Sprint("k", i), m.incident, m.customer, m.kind, m.channel, m.status, m.sent, fmt.Sprint("m", i)); err != nil {
			return fmt.Errorf("seed message %d: %w", i, err)
		}
	}
	return nil
}

func rfc(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano) }
