package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// proactiveInput is everything the proactive ratio reads, each table once.
type proactiveInput struct {
	// facts of the incidents starting in the period, not merged.
	facts []Facts
	// tiers by customer ("" for one not in the inventory).
	tiers map[string]string
	// merged lists, per incident, the incidents merged into it.
	merged map[int64][]int64
	// sent is the first customer message sent per incident and customer
	// (Unix ms).
	sent map[sentKey]int64
	// complaints are the times (Unix ms, ascending) of each customer's
	// complaints received in or after the period.
	complaints map[string][]int64
}

type sentKey struct {
	incident int64
	customer string
}

func (n *Notifier) proactiveInput(ctx context.Context, from, to time.Time) (*proactiveInput, error) {
	in := &proactiveInput{tiers: map[string]string{}, merged: map[int64][]int64{}, sent: map[sentKey]int64{},
		complaints: map[string][]int64{}}
	err := n.each(ctx, `SELECT incident_id, facts FROM notify_incidents WHERE updated_at >= ?`, []any{from.UnixMilli()},
		func(rs *sql.Rows) error {
			var id int64
			var raw string
			if err := rs.Scan(&id, &raw); err != nil {
				return err
			}
			var f Facts
			if json.Unmarshal([]byte(raw), &f) == nil && !f.Start.Before(from) && f.Start.Before(to) && f.MergedInto == 0 {
				f.Incident = id
				in.facts = append(in.facts, f)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	// Merged incidents at any time, as a message sent through one counts
	// for the incident it joined.
	err = n.each(ctx, `SELECT incident_id, CAST(json_extract(facts, '$.merged_into') AS BIGINT) FROM notify_incidents
		WHERE json_extract(facts, '$.merged_into') IS NOT NULL`, nil, func(rs *sql.Rows) error {
		var id, into int64
		if err := rs.Scan(&id, &into); err != nil {
			return err
		}
		in.merged[into] = append(in.merged[into], id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = n.each(ctx, `SELECT id, tier FROM customers`, nil, func(rs *sql.Rows) error {
		var id, tier string
		if err := rs.Scan(&id, &tier); err != nil {
			return err
		}
		in.tiers[id] = tier
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = n.each(ctx, `SELECT incident_id, customer_id, min(sent_at) FROM notify_outbox WHERE status = 'sent'
		AND kind IN (?, ?, ?, ?) AND customer_id <> '' AND incident_id <> 0 GROUP BY incident_id, customer_id`,
		[]any{customerKinds[0], customerKinds[1], customerKinds[2], customerKinds[3]}, func(rs *sql.Rows) error {
			var k sentKey
			var at sql.NullInt64
			if err := rs.Scan(&k.incident, &k.customer, &at); err != nil {
				return err
			}
			if at.Valid {
				in.sent[k] = at.Int64
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	// An impact's complaints are those received from its start on, and
	// every impact starts in the period.
	err = n.each(ctx, `SELECT linked_customer, received_at FROM complaints WHERE linked_customer <> '' AND received_at >= ?
		ORDER BY linked_customer, received_at`, []any{from.UnixMilli()}, func(rs *sql.Rows) error {
		var c string
		var at int64
		if err := rs.Scan(&c, &at); err != nil {
			return err
		}
		in.complaints[c] = append(in.complaints[c], at)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// each runs q and calls row for every row.
func (n *Notifier) each(ctx context.Context, q string, args []any, row func(*sql.Rows) error) error {
	rs, err := n.opts.DB.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("proactive: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		if err := row(rs); err != nil {
			return fmt.Errorf("proactive: %w", err)
		}
	}
	return rs.Err()
}

// firstComplaint is the customer's first complaint received in [lo, hi].
func (in *proactiveInput) firstComplaint(customer string, lo, hi int64) (int64, bool) {
	ts := in.complaints[customer]
	i := sort.Search(len(ts), func(i int) bool { return ts[i] >= lo })
	if i == len(ts) || ts[i] > hi {
		return 0, false
	}
	return ts[i], true
}

// firstSent is when the customer was first sent a message about the
// incident or one merged into it.
func (in *proactiveInput) firstSent(incident int64, customer string) (int64, bool) {
	at, ok := in.sent[sentKey{incident, customer}]
	for _, m := range in.merged[incident] {
		if t, k := in.sent[sentKey{m, customer}]; k && (!ok || t < at) {
			at, ok = t, true
		}
	}
	return at, ok
}
