package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"testing"
	"time"
)

// proactiveBefore is Proactive as it was before it read each table once:
// per impact, a complaints query and a sent-messages query whose subquery
// scanned every incident's facts (minutes per refresh on the cluster's
// long form). TestProactiveSameAsBefore holds the new reads to its answers.
func proactiveBefore(ctx context.Context, n *Notifier, from, to time.Time) (customers, tiers []ProactiveRow, err error) {
	rows, err := n.opts.DB.QueryContext(ctx, `SELECT incident_id, facts FROM notify_incidents WHERE updated_at >= ?`, from.UnixMilli())
	if err != nil {
		return nil, nil, err
	}
	var facts []Facts
	for rows.Next() {
		var id int64
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			rows.Close()
			return nil, nil, err
		}
		var f Facts
		if json.Unmarshal([]byte(raw), &f) == nil && !f.Start.Before(from) && f.Start.Before(to) && f.MergedInto == 0 {
			f.Incident = id
			facts = append(facts, f)
		}
	}
	rows.Close()
	now := n.opts.Now()
	byCustomer := map[string]*ProactiveRow{}
	tierOf := map[string]string{}
	for _, f := range facts {
		seen := map[string]bool{}
		for _, l := range f.Lines {
			if l.Customer == "" || l.Role != "" || seen[l.Customer] {
				continue
			}
			seen[l.Customer] = true
			tier, ok := tierOf[l.Customer]
			if !ok {
				if err := n.opts.DB.QueryRowContext(ctx, `SELECT tier FROM customers WHERE id = ?`, l.Customer).Scan(&tier); err != nil &&
					err != sql.ErrNoRows {
					return nil, nil, err
				}
				tierOf[l.Customer] = tier
			}
			impact, told, err := impactBefore(ctx, n, f, l.Customer, tier, now)
			if err != nil {
				return nil, nil, err
			}
			if !impact {
				continue
			}
			r := byCustomer[l.Customer]
			if r == nil {
				r = &ProactiveRow{Customer: l.Customer, Tier: tier}
				byCustomer[l.Customer] = r
			}
			r.Impacts++
			if told {
				r.ToldFirst++
			}
		}
	}
	customers, tiers = tallyProactive(byCustomer)
	return customers, tiers, nil
}

// impactBefore is impact as it was: two queries per impact.
// impact decided whether (incident, customer) is an impact and whether the
// customer was told before complaining.
func impactBefore(ctx context.Context, n *Notifier, f Facts, customer, tier string, now time.Time) (bool, bool, error) {
	end := f.End
	if end.IsZero() {
		end = now
	}
	var complained sql.NullInt64
	if err := n.opts.DB.QueryRowContext(ctx, `SELECT min(received_at) FROM complaints WHERE linked_customer = ?
		AND received_at >= ? AND received_at <= ?`, customer, f.Start.UnixMilli(), end.Add(ComplaintSlack).UnixMilli()).
		Scan(&complained); err != nil {
		return false, false, fmt.Errorf("complaints of %s: %w", customer, err)
	}
	delay, notifies := n.opts.Rules[tier].notifies(f.Kind)
	if !complained.Valid && (!notifies || end.Sub(f.Start) < delay) {
		return false, false, nil
	}
	var told sql.NullInt64
	if err := n.opts.DB.QueryRowContext(ctx, `SELECT min(o.sent_at) FROM notify_outbox o WHERE o.customer_id = ? AND o.status = 'sent'
		AND o.kind IN (?, ?, ?, ?) AND (o.incident_id = ? OR o.incident_id IN (SELECT incident_id FROM notify_incidents
		WHERE CAST(json_extract(facts, '$.merged_into') AS BIGINT) = ?))`, customer, customerKinds[0], customerKinds[1], customerKinds[2],
		customerKinds[3], f.Incident, f.Incident).Scan(&told); err != nil {
		return false, false, err
	}
	first := told.Valid && (!complained.Valid || told.Int64 < complained.Int64)
	return true, first, nil
}

// Random incidents (some open, some merged into others, some outside the
// period), customers of every tier and some unknown, messages of every
// kind and status, complaints before, during and after: Proactive answers
// as it did with its per-impact queries, over several periods.
func TestProactiveSameAsBefore(t *testing.T) {
	r := newRig(t, DefaultRules(), nil)
	rng := rand.New(rand.NewSource(16))
	tiers := []string{"ab_group", "diamond", "gold", "silver", "standard"}
	var customers []string
	for i := range 10 {
		c := fmt.Sprintf("C%02d", i)
		customers = append(customers, c)
		if i < 9 { // one customer not in the inventory: tier ""
			r.exec(`INSERT INTO customers (id, name, tier) VALUES (?, ?, ?)`, c, "Customer "+c, tiers[rng.Intn(len(tiers))])
		}
	}
	at := func(spread time.Duration) time.Time {
		return t0.Add(time.Duration(rng.Int63n(int64(2*spread))) - spread).Truncate(time.Millisecond)
	}
	const incidents = 150
	var all []Facts
	for id := int64(1); id <= incidents; id++ {
		f := Facts{Incident: id, Kind: []string{"outage", "flapping"}[rng.Intn(2)], Start: at(3 * time.Hour)}
		if rng.Intn(4) > 0 {
			f.End = f.Start.Add(time.Duration(rng.Int63n(int64(20 * time.Minute))))
		}
		if id > 5 && rng.Intn(6) == 0 {
			f.MergedInto = 1 + rng.Int63n(id-1)
		}
		for range 1 + rng.Intn(4) {
			c := customers[rng.Intn(len(customers))]
			if into := f.MergedInto; into != 0 && rng.Intn(3) > 0 { // mostly the customers of the incident it joined
				c = all[into-1].Lines[rng.Intn(len(all[into-1].Lines))].Customer
			}
			l := FactLine{Line: fmt.Sprintf("L%d", rng.Intn(1000)), Customer: c, Down: f.Start}
			if rng.Intn(5) == 0 {
				l.Role = "affected"
			}
			f.Lines = append(f.Lines, l)
		}
		all = append(all, f)
		raw, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		r.exec(`INSERT INTO notify_incidents (incident_id, facts, updated_at) VALUES (?, ?, ?)`, id, string(raw), at(4*time.Hour).UnixMilli())
		for k := range rng.Intn(5) {
			c := f.Lines[rng.Intn(len(f.Lines))].Customer
			if rng.Intn(6) == 0 {
				c = "" // the ops on-call's
			}
			status := []string{"sent", "sent", "pending", "cancelled", "failed"}[rng.Intn(5)]
			var sentAt any
			if status == "sent" {
				sentAt = f.Start.Add(time.Duration(rng.Int63n(int64(time.Hour)))).UnixMilli()
			}
			key := fmt.Sprintf("p/%d/%d", id, k)
			r.exec(`INSERT INTO notify_outbox (key, incident_id, customer_id, kind, channel, recipient, status, due_at,
				next_attempt_at, incident_start, created_at, sent_at, message_id) VALUES (?, ?, ?, ?, 'email', 'x@example', ?, 0, 0, 0, 0, ?, ?)`,
				key, id, c, Kinds[rng.Intn(len(Kinds))%6], status, sentAt, key) // mostly customer kinds
		}
	}
	for i := range 15 {
		c := customers[rng.Intn(len(customers))]
		if rng.Intn(8) == 0 {
			c = ""
		}
		when := at(5 * time.Hour).UnixMilli()
		r.exec(`INSERT INTO complaints (id, received_at, category, intake_hash, linked_customer, created_at, updated_at)
			VALUES (?, ?, 'line_interruption', ?, ?, ?, ?)`, fmt.Sprintf("K%d", i), when, fmt.Sprintf("h%d", i), c, when, when)
	}
	// Complaints on the bounds of impacts: at the start or an hour after
	// the end, or a millisecond outside one.
	for i := range 40 {
		f := all[rng.Intn(len(all))]
		if f.End.IsZero() {
			continue
		}
		bounds := []time.Time{f.Start, f.Start.Add(-time.Millisecond), f.End.Add(ComplaintSlack), f.End.Add(ComplaintSlack + time.Millisecond)}
		id, ms := fmt.Sprintf("E%d", i), bounds[rng.Intn(len(bounds))].UnixMilli()
		r.exec(`INSERT INTO complaints (id, received_at, category, intake_hash, linked_customer, created_at, updated_at)
			VALUES (?, ?, 'line_interruption', ?, ?, ?, ?)`, id, ms, id, f.Lines[0].Customer, ms, ms)
	}
	r.at(t0.Add(time.Hour))
	impacts := 0
	for _, p := range [][2]time.Time{{t0.Add(-time.Hour), t0.Add(time.Hour)}, {t0.Add(-4 * time.Hour), t0.Add(4 * time.Hour)},
		{t0.Add(-30 * 24 * time.Hour), t0.Add(time.Hour)}, {t0, t0.Add(30 * time.Minute)}} {
		wantC, wantT, err := proactiveBefore(r.ctx, r.n, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		gotC, gotT, err := r.n.Proactive(r.ctx, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotC, wantC) || !reflect.DeepEqual(gotT, wantT) {
			t.Errorf("period %s..%s:\n customers %v\n want      %v\n tiers %v\n want  %v", p[0], p[1], gotC, wantC, gotT, wantT)
		}
		for _, c := range wantC {
			impacts += c.Impacts
		}
	}
	if impacts < 50 {
		t.Fatalf("%d impacts over the periods: the data proves little", impacts)
	}
}
