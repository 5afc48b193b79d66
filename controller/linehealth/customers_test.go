package linehealth

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/vantage-net/vantage/controller/inventory"
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

// customersOfScopeBefore is an account manager's customer page as it was
// before it read the page in one query: one Customer call per id, more
// true while an id remained (even one the inventory no longer has).
func customersOfScopeBefore(ctx context.Context, rm *ReadModel, ids []string, limit int) (cs []inventory.Customer, more bool, err error) {
	for _, id := range ids {
		if len(cs) == limit {
			return cs, true, nil
		}
		c, err := rm.inv.Customer(ctx, id)
		if errors.Is(err, inventory.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		cs = append(cs, c)
	}
	return cs, false, nil
}

// TestScopeCustomersSameAsBefore: an account manager's scope of 300 ids,
// a sixth of them not (or no longer) in the inventory, runs of them longer
// than a page, paged 1, 7, 100 and 1,000 at a time: every page holds the
// customers the per-id reads gave, and more is true exactly when the old
// reads' next page was not empty (they also said more when only ids the
// inventory lacks remained, and the next page was then empty).
func TestScopeCustomersSameAsBefore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ids []string
	for i := range 300 {
		id := fmt.Sprintf("S%04d", i)
		ids = append(ids, id)
		if i%6 == 5 || (i >= 200 && i < 230) || i >= 290 {
			continue // not in the inventory
		}
		if _, err := f.db.ExecContext(ctx, `INSERT INTO customers (id, name, tier, account_manager) VALUES (?, ?, 'silver', 'am')`,
			id, "Name "+id); err != nil {
			t.Fatal(err)
		}
	}
	scope := OnlyCustomers(append(ids, "C1"))
	rm := f.reads(t)
	for _, limit := range []int{1, 7, 100, 1000} {
		after := ""
		for page := 0; page < 400; page++ {
			want, wantMore, err := customersOfScopeBefore(ctx, rm, scope.after(after), limit)
			if err != nil {
				t.Fatal(err)
			}
			views, more, err := rm.Customers(ctx, scope, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []inventory.Customer
			for _, v := range views {
				got = append(got, v.Customer)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("pages of %d after %q: %v, want %v", limit, after, got, want)
			}
			nextNonEmpty := false
			if wantMore {
				next, _, err := customersOfScopeBefore(ctx, rm, scope.after(want[len(want)-1].ID), limit)
				if err != nil {
					t.Fatal(err)
				}
				nextNonEmpty = len(next) > 0
			}
			if more != nextNonEmpty {
				t.Fatalf("pages of %d after %q: more %v, want %v", limit, after, more, nextNonEmpty)
			}
			if !more {
				break
			}
			after = want[len(want)-1].ID
		}
	}
}
