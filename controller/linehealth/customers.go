package linehealth

import (
	"context"
	"fmt"

	"github.com/vantage-net/vantage/controller/inventory"
)

// CustomerView is one customer as GET /api/v1/customers shows it: the
// inventory record and how its lines are now.
type CustomerView struct {
	inventory.Customer
	Lines int `json:"lines"`
	// LinesByState counts the lines by state (up, down, flapping, unknown, …).
	LinesByState map[string]int `json:"lines_by_state"`
}

// Customers lists the customers scope sees, ordered by id after the id
// after, at most limit; more is true when more follow. An account
// manager's page is read by id from the scope's own (sorted) list, not by
// filtering pages of everyone's customers.
func (rm *ReadModel) Customers(ctx context.Context, scope Scope, after string, limit int) (views []CustomerView, more bool, err error) {
	var cs []inventory.Customer
	if scope.All() {
		cs, err = rm.inv.Customers(ctx, inventory.Page{After: after, Limit: limit})
		if err != nil {
			return nil, false, err
		}
		// Whether more follow, asked separately: the inventory caps a
		// page at 1,000, so limit+1 rows at the API's largest page came
		// back as 1,000 and the list ended there.
		if len(cs) == limit {
			next, err := rm.inv.Customers(ctx, inventory.Page{After: cs[len(cs)-1].ID, Limit: 1})
			if err != nil {
				return nil, false, err
			}
			more = len(next) > 0
		}
		cs = cs[:min(limit, len(cs))]
	} else {
		cs, more, err = rm.scopeCustomers(ctx, scope.after(after), limit)
		if err != nil {
			return nil, false, err
		}
	}
	views = make([]CustomerView, len(cs))
	at := make(map[string]int, len(cs))
	for i, c := range cs {
		views[i] = CustomerView{Customer: c, LinesByState: map[string]int{}}
		at[c.ID] = i
	}
	if len(views) == 0 {
		return views, more, nil
	}
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	rows, err := rm.db.QueryContext(ctx, `SELECT l.customer_id, coalesce(s.state, 'unknown'), count(*)
		FROM lines l LEFT JOIN line_states s ON s.circuit_id = l.circuit_id
		WHERE l.customer_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2`, OnlyCustomers(ids).jsonIDs())
	if err != nil {
		return nil, false, fmt.Errorf("customers' lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var customer, state string
		var n int
		if err := rows.Scan(&customer, &state, &n); err != nil {
			return nil, false, fmt.Errorf("customers' lines: %w", err)
		}
		if i, ok := at[customer]; ok {
			views[i].Lines += n
			views[i].LinesByState[state] += n
		}
	}
	return views, more, rows.Err()
}

// scopeCustomers returns the customers of ids (sorted, the scope's above
// the cursor) that the inventory has, in that order, at most limit; more
// is true when another follows. One query for a page of limit+1 ids (and
// another only for ids that left the inventory since the scope was read),
// not one per customer: 100 round trips a page cost 7 ms p50 on
// PostgreSQL under load (bench/api).
func (rm *ReadModel) scopeCustomers(ctx context.Context, ids []string, limit int) (cs []inventory.Customer, more bool, err error) {
	for len(ids) > 0 && len(cs) <= limit {
		chunk := ids[:min(len(ids), limit+1-len(cs))]
		ids = ids[len(chunk):]
		rows, err := rm.db.QueryContext(ctx, `SELECT id, name, tier, account_manager FROM customers
			WHERE id IN (SELECT value FROM json_each(?))`, OnlyCustomers(chunk).jsonIDs())
		if err != nil {
			return nil, false, fmt.Errorf("customers: %w", err)
		}
		found := make(map[string]inventory.Customer, len(chunk))
		for rows.Next() {
			var c inventory.Customer
			if err := rows.Scan(&c.ID, &c.Name, &c.Tier, &c.AccountManager); err != nil {
				rows.Close()
				return nil, false, fmt.Errorf("customers: %w", err)
			}
			found[c.ID] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, fmt.Errorf("customers: %w", err)
		}
		for _, id := range chunk {
			if c, ok := found[id]; ok {
				cs = append(cs, c)
			}
		}
	}
	return cs[:min(limit, len(cs))], len(cs) > limit, nil
}
