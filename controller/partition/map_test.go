package partition_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/partition"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/fleetsim"
)

// TestMapFromInventory imports the simulator's inventory (PoP → router →
// card → port, each PoP naming its agent) and builds the partition map
// from it: every line is in its PoP's partition, all lines of one PoP in
// one partition, every PoP agent homed where its lines are, watching
// only them, and no agent's subject in two partitions' filters.
func TestMapFromInventory(t *testing.T) {
	ctx := context.Background()
	plan, err := fleetsim.NewPlan(fleetsim.Config{Lines: 600, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	inv, db := filepath.Join(dir, "inventory.yaml"), filepath.Join(dir, "vantage.db")
	if err := plan.WriteInventory(inv); err != nil {
		t.Fatal(err)
	}
	if err := inventory.ImportFiles(ctx, db, []string{inv}, io.Discard, inventory.FileOptions{}); err != nil {
		t.Fatal(err)
	}
	sdb, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	const n = 8
	m, err := partition.FromInventory(ctx, inventory.NewSQLStore(sdb), n, []string{"hotspot-9"})
	if err != nil {
		t.Fatal(err)
	}
	used := map[int]bool{}
	for _, a := range plan.Agents {
		want := partition.Of(a.PoP, n)
		used[want] = true
		if home, ok := m.Home(a.ID); !ok || home != want {
			t.Errorf("agent %s (PoP %s): home %d %v, want %d", a.ID, a.PoP, home, ok, want)
		}
		for _, l := range a.Lines {
			if p, ok := m.Line(l.ID); !ok || p != want || m.PoP(l.ID) != a.PoP {
				t.Errorf("line %s: partition %d %v PoP %q, want %d %q", l.ID, p, ok, m.PoP(l.ID), want, a.PoP)
			}
			if !m.Watches(a.ID, l.ID) {
				t.Errorf("agent %s does not watch its line %s", a.ID, l.ID)
			}
		}
	}
	if len(used) < 2 {
		t.Fatalf("all PoPs in %d partition(s): the test shows nothing", len(used))
	}
	if len(m.Foreign) != 0 {
		t.Errorf("foreign lines: %v", m.Foreign)
	}
	if _, ok := m.Home("hotspot-9"); !ok {
		t.Error("an agent watching no line must still be homed (its raw results are written by one partition)")
	}
	seen := map[string]int{}
	for p := 0; p < n; p++ {
		for _, s := range m.Subjects(p) {
			if q, dup := seen[s]; dup {
				t.Errorf("subject %s in partitions %d and %d", s, q, p)
			}
			seen[s] = p
		}
	}
	if len(seen) != len(plan.Agents)+1 {
		t.Errorf("%d subjects, want %d", len(seen), len(plan.Agents)+1)
	}
}

// TestHubAgentHomedWithMostLines: an agent watching lines under two PoPs
// is homed where most of them are, and the others are counted foreign.
func TestHubAgentHomedWithMostLines(t *testing.T) {
	const n = 64
	popA, popB := "pop-a", "pop-b"
	for i := 0; partition.Of(popA, n) == partition.Of(popB, n); i++ {
		popB = "pop-b" + string(rune('0'+i))
	}
	m := partition.NewMap(n, map[string]string{"L1": popA, "L2": popA, "L3": popB, "L4": ""},
		map[string][]string{"hub": {"L1", "L2", "L3"}}, nil)
	if home, _ := m.Home("hub"); home != partition.Of(popA, n) {
		t.Errorf("hub homed in %d, want %d", home, partition.Of(popA, n))
	}
	if m.Foreign["hub"] != 1 {
		t.Errorf("foreign %v, want hub: 1", m.Foreign)
	}
	if p, _ := m.Line("L4"); p != partition.Of("L4", n) {
		t.Errorf("a line without elements is its own PoP: partition %d", p)
	}
}
