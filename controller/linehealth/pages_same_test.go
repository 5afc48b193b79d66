package linehealth

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

// pageViewsBefore is pageViews as it was before the join to line_states
// was bounded by the page's start: TestPageViewsSameAsBefore holds the
// bounded query to its answers.
func pageViewsBefore(ctx context.Context, rm *ReadModel, scope Scope, after string, limit int) ([]LineView, error) {
	q, args := inventoryViews+` WHERE l.circuit_id > ?`, []any{after}
	if !scope.All() {
		q += ` AND l.customer_id IN (SELECT value FROM json_each(?))`
		args = append(args, scope.jsonIDs())
	}
	inv, err := rm.views(ctx, q+` ORDER BY l.circuit_id LIMIT ?`, append(args, limit)...)
	if err != nil || !scope.Sees("") {
		return inv, err
	}
	oq, oargs := orphanViews+` AND s.circuit_id > ?`, []any{after}
	if len(inv) == limit {
		oq, oargs = oq+` AND s.circuit_id <= ?`, append(oargs, inv[len(inv)-1].ID)
	}
	orphans, err := rm.views(ctx, oq+` ORDER BY s.circuit_id LIMIT ?`, append(oargs, limit)...)
	if err != nil {
		return nil, err
	}
	out := make([]LineView, 0, min(limit, len(inv)+len(orphans)))
	for len(out) < limit && (len(inv) > 0 || len(orphans) > 0) {
		if len(orphans) == 0 || (len(inv) > 0 && inv[0].ID < orphans[0].ID) {
			out, inv = append(out, inv[0]), inv[1:]
		} else {
			out, orphans = append(out, orphans[0]), orphans[1:]
		}
	}
	return out, nil
}

// TestPageViewsSameAsBefore seeds 300 more lines (two in three with a
// committed state, customers C1 and C2) and 30 states of lines the
// inventory lacks, and checks that every page of every walk (everyone,
// C1; pages of 1, 7, 100 and 1,000, from the start and from ids between
// lines) is exactly what the unbounded join gave.
func TestPageViewsSameAsBefore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 300 {
		id := fmt.Sprintf("M%04d", i)
		if _, err := f.db.ExecContext(ctx, `INSERT INTO lines (circuit_id, customer_id) VALUES (?, ?)`, id, []string{"C1", "C2"}[i%2]); err != nil {
			t.Fatal(err)
		}
		if i%3 != 0 {
			if _, err := f.db.ExecContext(ctx, `INSERT INTO line_states (circuit_id, state, since, penalty, penalty_at, half_life_ms, reuse, updated_at)
				VALUES (?, 'flapping', ?, ?, ?, 900000, 750, 0)`, id, ms(f.t0), float64(i), ms(f.t0)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range 30 {
		if _, err := f.db.ExecContext(ctx, `INSERT INTO line_states (circuit_id, state, updated_at) VALUES (?, 'up', 0)`, fmt.Sprintf("M%04d~", i*10)); err != nil {
			t.Fatal(err)
		}
	}
	rm := f.reads(t)
	for name, scope := range map[string]Scope{"all": AllCustomers, "C1": OnlyCustomers([]string{"C1"})} {
		for _, limit := range []int{1, 7, 100, 1000} {
			for _, start := range []string{"", "M0150", "M0150~", "ZZZ"} {
				after := start
				for page := 0; page < 1000; page++ {
					want, err := pageViewsBefore(ctx, rm, scope, after, limit)
					if err != nil {
						t.Fatal(err)
					}
					got, err := rm.pageViews(ctx, scope, after, limit)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s, pages of %d after %q: %d lines, want %d:\ngot  %+v\nwant %+v", name, limit, after, len(got), len(want), got, want)
					}
					if len(want) < limit {
						break
					}
					after = want[len(want)-1].ID
				}
			}
		}
	}
}
