package linehealth

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/internal/lab"
)

// countingVersions is the inventory store with its version reads counted.
type countingVersions struct {
	*inventory.SQLStore
	polls atomic.Int64
}

func (c *countingVersions) Version(ctx context.Context) (int64, error) {
	c.polls.Add(1)
	return c.SQLStore.Version(ctx)
}

// TestOwnInventoryReadOnlyWhenVersionMoved: a single controller's Monitor
// polls the inventory version at every refresh and reads the whole
// inventory only at its start, after an import moved the version (the
// imported line is then known) and when the resync is due (rows changed
// by hand bump nothing). It fails if the refresh reads the inventory
// without asking the version (as it did every minute before).
func TestOwnInventoryReadOnlyWhenVersionMoved(t *testing.T) {
	f := newFixture(t)
	inv := &countingVersions{SQLStore: f.inv}
	var ticks, jump atomic.Int64 // the clock moves 1 ms per reading, plus the test's jumps
	o := f.opts
	o.Inventory = inv
	o.Now = func() time.Time {
		return f.t0.Add(time.Duration(ticks.Add(1))*time.Millisecond + time.Duration(jump.Load()))
	}
	o.Tick, o.InventoryRefresh, o.InventoryResync = 5*time.Millisecond, time.Nanosecond, 10*time.Minute
	m, err := New(context.Background(), o, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := lab.Deadline(t, time.Minute)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(rctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	reads := func() float64 { return testutil.ToFloat64(m.m.inventoryReads) }
	// waitPolls waits for n more version polls, then checks the reads.
	waitPolls := func(n int64, wantReads float64, when string) {
		t.Helper()
		from := inv.polls.Load()
		lab.WaitFor(t, ctx, 5*time.Millisecond, func() error {
			if got := inv.polls.Load() - from; got < n {
				return fmt.Errorf("%d version polls, want %d", got, n)
			}
			return nil
		})
		if got := reads(); got != wantReads {
			t.Fatalf("%s: %v whole-inventory reads, want %v", when, got, wantReads)
		}
	}
	waitPolls(20, 1, "version unchanged since the start")

	// An import adds a line: the version moves, one read takes it in.
	file := filepath.Join(t.TempDir(), "inv.yaml")
	if err := os.WriteFile(file, []byte(testInventory+"  - {circuit_id: L3, customer: C1, upstream_element: p1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := inventory.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.inv.Import(ctx, set, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	lab.WaitFor(t, ctx, 5*time.Millisecond, func() error {
		m.mu.Lock()
		defer m.mu.Unlock()
		if li := m.lines["L3"]; li == nil || !li.inInventory {
			return fmt.Errorf("imported line L3 not known yet (%v reads)", reads())
		}
		return nil
	})
	waitPolls(20, 2, "after one import")

	// The resync is due: one read although the version did not move.
	jump.Store(int64(11 * time.Minute))
	lab.WaitFor(t, ctx, 5*time.Millisecond, func() error {
		if got := reads(); got != 3 {
			return fmt.Errorf("%v whole-inventory reads, want 3 (the resync)", got)
		}
		return nil
	})
	waitPolls(20, 3, "after the resync")
}
