package partition

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/vantage-net/vantage/controller/inventory"
)

// FromInventory builds the map of n partitions from the inventory: each
// line's PoP is the root of its upstream element's tree, and the agents
// are those the inventory assigns lines to (WatchedLines) plus extra (for
// example every agent with NATS credentials), so agents that watch no
// line are homed too.
func FromInventory(ctx context.Context, st inventory.Store, n int, extra []string) (*Map, error) {
	roots := map[string]string{} // element → root, filled as the walk goes
	var rootOf func(id string, depth int) (string, error)
	rootOf = func(id string, depth int) (string, error) {
		if r, ok := roots[id]; ok {
			return r, nil
		}
		if depth > 64 {
			return "", fmt.Errorf("element %q: tree deeper than 64 (a cycle?)", id)
		}
		e, err := st.Element(ctx, id)
		if err != nil {
			return "", err
		}
		r := e.ID
		if e.ParentID != "" {
			if r, err = rootOf(e.ParentID, depth+1); err != nil {
				return "", err
			}
		}
		roots[id] = r
		return r, nil
	}
	linePoP := map[string]string{}
	page := inventory.Page{Limit: 1000}
	for {
		lines, err := st.Lines(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("partition map: lines: %w", err)
		}
		for _, l := range lines {
			pop := ""
			if l.UpstreamElement != "" {
				r, err := rootOf(l.UpstreamElement, 0)
				if err != nil && !errors.Is(err, inventory.ErrNotFound) {
					return nil, fmt.Errorf("partition map: line %s: %w", l.CircuitID, err)
				}
				pop = r
			}
			linePoP[l.CircuitID] = pop
		}
		if len(lines) < page.Limit {
			break
		}
		page.After = lines[len(lines)-1].CircuitID
	}
	w, err := st.WatchedLines(ctx)
	if err != nil {
		return nil, fmt.Errorf("partition map: watched lines: %w", err)
	}
	watched := make(map[string][]string, len(w.ByAgent))
	for a, ls := range w.ByAgent {
		for l := range ls {
			watched[a] = append(watched[a], l)
		}
		sort.Strings(watched[a])
	}
	return NewMap(n, linePoP, watched, extra), nil
}
