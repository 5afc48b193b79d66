package linehealth

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/store/storetest"
)

// Two controllers starting on one PostgreSQL database each write every
// line's state in their first commit. Rows captured from a map came in a
// random order, so one transaction could hold line A and wait for B while
// the other held B and waited for A: "deadlock detected (40P01)" (seen
// with two controllers and 10,000 lines). Rows are written in line order,
// so the second transaction waits for the first instead.
func TestConcurrentStateWritesDoNotDeadlock(t *testing.T) {
	storetest.PostgresOnly(t)
	f := newFixture(t)
	var rows []stateRow
	for i := range 3000 {
		rows = append(rows, stateRow{line: fmt.Sprintf("L-%05d", i)})
	}
	reversed := slices.Clone(rows)
	slices.Reverse(reversed)
	ctx := context.Background()
	start := make(chan struct{})
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, order := range [][]stateRow{rows, reversed} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tx, err := f.db.BeginTx(ctx, nil)
			if err != nil {
				errs[i] = err
				return
			}
			if err := storeStates(ctx, tx, order, false, nil, time.Unix(1_800_000_000, 0)); err != nil {
				_ = tx.Rollback()
				errs[i] = err
				return
			}
			errs[i] = tx.Commit()
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
}
