package complaints

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Filter selects complaints for List. Zero fields select everything.
type Filter struct {
	Customer string // linked customer
	Verdict  Verdict
	Category Category
	// From and To bound the received time: [From, To).
	From, To time.Time
	// Repeat: nil any, else only repeats (true) or only non-repeats.
	Repeat *bool
	// After is the cursor of the previous page (Cursor of its last row).
	After *Cursor
	// Customers limits to these linked customers unless AllCustomers
	// (an account manager's scope; complaints linked to no customer are
	// then not visible).
	Customers    []string
	AllCustomers bool
}

// Cursor is a keyset position: newest first, by received time then id.
type Cursor struct {
	ReceivedMS int64
	ID         string
}

// listColumns are complaintColumns without the evidence, which a list
// does not show: decoding every row's evidence JSON to drop it was most
// of a 1,000-complaint page's cost (bench/api).
var listColumns = strings.Replace(complaintColumns, " evidence,", " '[]',", 1)

// List returns up to limit complaints, newest first, without their
// evidence (Get has it), and whether more remain.
func (s *Store) List(ctx context.Context, f Filter, limit int) ([]Complaint, bool, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if !f.AllCustomers {
		ids, _ := json.Marshal(f.Customers)
		if f.Customers == nil {
			ids = []byte("[]")
		}
		add(`linked_customer IN (SELECT value FROM json_each(?))`, string(ids))
	}
	if f.Customer != "" {
		add(`linked_customer = ?`, f.Customer)
	}
	if f.Verdict != "" {
		add(`verdict = ?`, string(f.Verdict))
	}
	if f.Category != "" {
		add(`category = ?`, string(f.Category))
	}
	if !f.From.IsZero() {
		add(`received_at >= ?`, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add(`received_at < ?`, f.To.UnixMilli())
	}
	if f.Repeat != nil {
		v := 0
		if *f.Repeat {
			v = 1
		}
		add(`repeat = ?`, v)
	}
	if f.After != nil {
		add(`(received_at < ? OR (received_at = ? AND id < ?))`, f.After.ReceivedMS, f.After.ReceivedMS, f.After.ID)
	}
	q := `SELECT ` + listColumns + ` FROM complaints`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY received_at DESC, id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := []Complaint{}
	for rows.Next() {
		c, err := scanComplaint(rows)
		if err != nil {
			return nil, false, err
		}
		c.Evidence = nil
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}
