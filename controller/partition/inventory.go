package partition

import (
	"context"
	"sort"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linehealth"
)

// FromInventory builds the map of n partitions from the inventory: each
// line's PoP is the root of its upstream element's tree, and the agents
// are those the inventory assigns lines to (WatchedLines) plus extra (for
// example every agent with NATS credentials), so agents that watch no
// line are homed too.
func FromInventory(ctx context.Context, st inventory.Store, n int, extra []string) (*Map, error) {
	v, err := linehealth.LoadInventory(ctx, st)
	if err != nil {
		return nil, err
	}
	return FromView(v, n, extra), nil
}

// FromView builds the map from one read of the inventory (the read a
// node shares with its partitions' line health, reload.go).
func FromView(v *linehealth.Inventory, n int, extra []string) *Map {
	w := v.Watched()
	watched := make(map[string][]string, len(w.ByAgent))
	for a, ls := range w.ByAgent {
		for l := range ls {
			watched[a] = append(watched[a], l)
		}
		sort.Strings(watched[a])
	}
	return NewMap(n, v.LinePoPs(), watched, extra)
}
