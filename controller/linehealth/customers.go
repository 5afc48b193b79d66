package linehealth

import (
	"context"

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

// Customers lists customers ordered by id after the id after, at most limit.
func (mon *Monitor) Customers(ctx context.Context, after string, limit int) ([]CustomerView, error) {
	cs, err := mon.opts.Inventory.Customers(ctx, inventory.Page{After: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	views := make([]CustomerView, len(cs))
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
	return views, nil
}
