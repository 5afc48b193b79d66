package linehealth

import (
	"context"
	"errors"

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
func (mon *Monitor) Customers(ctx context.Context, scope Scope, after string, limit int) (views []CustomerView, more bool, err error) {
	var cs []inventory.Customer
	if scope.All() {
		cs, err = mon.opts.Inventory.Customers(ctx, inventory.Page{After: after, Limit: limit + 1})
		if err != nil {
			return nil, false, err
		}
		more = len(cs) > limit
		cs = cs[:min(limit, len(cs))]
	} else {
		ids := scope.after(after)
		for _, id := range ids {
			if len(cs) == limit {
				// ids[i] remains: a customer, unless it left the
				// inventory since the scope was read, and then the next
				// page is empty, which is harmless.
				more = true
				break
			}
			c, err := mon.opts.Inventory.Customer(ctx, id)
			if errors.Is(err, inventory.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, false, err
			}
			cs = append(cs, c)
		}
	}
	views = make([]CustomerView, len(cs))
	at := make(map[string]int, len(cs))
	for i, c := range cs {
		views[i] = CustomerView{Customer: c, LinesByState: map[string]int{}}
		at[c.ID] = i
	}
	mon.mu.Lock()
	defer mon.mu.Unlock()
	for id, li := range mon.lines {
		i, ok := at[li.customer]
		if !ok {
			continue
		}
		views[i].Lines++
		views[i].LinesByState[mon.viewLocked(id).State]++
	}
	return views, more, nil
}
