package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"
)

// proactiveInput is everything the proactive ratio reads, each table once.
type proactiveInput struct {
	// facts of the incidents starting in the period, not merged.
	facts []Facts
	// tiers by customer ("" for one not in the inventory).
	tiers map[string]string
	// merged lists, per incident of the period, the incidents merged
	// into it.
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
	// The incidents merged into those (at any time: a message sent through
	// one counts for the incident it joined), by notify_incidents_merged,
	// not a parse of every incident's facts. The queries differ by store
	// (ratioQueries).
	q := n.ratioQueries()
	err = n.each(ctx, q.merged, []any{from.UnixMilli()},
		func(rs *sql.Rows) error {
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
	err = n.each(ctx, q.sent, []any{customerKinds[0], customerKinds[1], customerKinds[2], customerKinds[3],
		from.UnixMilli(), from.UnixMilli()},
		func(rs *sql.Rows) error {
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
	// every impact starts in the period. Sorted here: with ORDER BY
	// customer, SQLite read every complaint ever (complaints_customer)
	// rather than the period's (complaints_received).
	err = n.each(ctx, `SELECT linked_customer, received_at FROM complaints WHERE linked_customer <> '' AND received_at >= ?`,
		[]any{from.UnixMilli()}, func(rs *sql.Rows) error {
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
	for _, ts := range in.complaints {
		slices.Sort(ts)
	}
	return in, nil
}

// ratioSQL is how the ratio finds the merged incidents and the sent
// messages; the parameters are the period's start (merged), the four
// customer kinds and the start twice (sent).
type ratioSQL struct{ merged, sent string }

// mergedSQL: on SQLite, CROSS JOIN keeps the order: the period's incidents
// (notify_incidents_updated), then the merged index for each, not every
// merged incident ever. sentSQL: the messages of the period's incidents
// and of those merged into them, by notify_outbox_incident, not every
// message ever sent.
const (
	mergedSQL = `SELECT m.incident_id, p.incident_id FROM notify_incidents p CROSS JOIN notify_incidents m
		WHERE p.updated_at >= ? AND CAST(json_extract(m.facts, '$.merged_into') AS BIGINT) = p.incident_id
		AND json_extract(m.facts, '$.merged_into') IS NOT NULL`
	sentSQL = `SELECT incident_id, customer_id, min(sent_at) FROM notify_outbox WHERE status = 'sent'
		AND kind IN (?, ?, ?, ?) AND customer_id <> '' AND incident_id <> 0 AND incident_id IN (
			SELECT incident_id FROM notify_incidents WHERE updated_at >= ?
			UNION ALL SELECT m.incident_id FROM notify_incidents p CROSS JOIN notify_incidents m
				WHERE p.updated_at >= ? AND CAST(json_extract(m.facts, '$.merged_into') AS BIGINT) = p.incident_id
				AND json_extract(m.facts, '$.merged_into') IS NOT NULL)
		GROUP BY incident_id, customer_id`
)

// On PostgreSQL the period's forms measured slower than reading every
// merged incident (notify_incidents_merged: the merged rows only) and
// grouping every sent message (notify_outbox_incident in order): 73,000
// index probes per refresh cost more than 877,000 rows read in order at 90
// days of history (docs/BENCHMARKS.md). Both are bounded by the
// notifications' retention; the parameters they do not need are compared
// to 0.
const (
	mergedAllSQL = `SELECT incident_id, CAST(json_extract(facts, '$.merged_into') AS BIGINT) FROM notify_incidents
		WHERE json_extract(facts, '$.merged_into') IS NOT NULL AND CAST(? AS BIGINT) >= 0`
	sentAllSQL = `SELECT incident_id, customer_id, min(sent_at) FROM notify_outbox WHERE status = 'sent'
		AND kind IN (?, ?, ?, ?) AND customer_id <> '' AND incident_id <> 0 AND CAST(? AS BIGINT) >= 0 AND CAST(? AS BIGINT) >= 0
		GROUP BY incident_id, customer_id`
)

func (n *Notifier) ratioQueries() ratioSQL {
	if n.pg {
		return ratioSQL{mergedAllSQL, sentAllSQL}
	}
	return ratioSQL{mergedSQL, sentSQL}
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
