package linehealth

import (
	"context"
	"fmt"
	"testing"
)

// TestCustomersFullPagesSayMore pages through 1,203 customers (the
// fixture's 2 and 1,201 more) 1,000 at a time, the API's largest page: the
// first page must say more follow and the walk must list every customer
// once. The inventory caps its pages at 1,000, so asking it for limit+1
// rows to learn whether more follow got 1,000 back at limit 1,000, and
// the list ended after the first page.
func TestCustomersFullPagesSayMore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 1201 {
		if _, err := f.db.ExecContext(ctx, `INSERT INTO customers (id, name, tier) VALUES (?, ?, 'gold')`,
			fmt.Sprintf("X%05d", i), fmt.Sprintf("Extra %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	rm := f.reads(t)
	for _, limit := range []int{1000, 999, 1} {
		seen := map[string]bool{}
		after, pages := "", 0
		for {
			views, more, err := rm.Customers(ctx, AllCustomers, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, v := range views {
				if seen[v.ID] {
					t.Fatalf("limit %d: customer %s listed twice", limit, v.ID)
				}
				seen[v.ID] = true
			}
			if !more || len(views) == 0 || pages > 2000 {
				break
			}
			after = views[len(views)-1].ID
		}
		if len(seen) != 1203 {
			t.Errorf("limit %d: %d customers listed in %d pages, want all 1203", limit, len(seen), pages)
		}
	}
}
