package linehealth

import (
	"context"
	"errors"
	"fmt"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
)

// lineInfo is what the inventory says about a line.
type lineInfo struct {
	customer, tier string
	path           []string // upstream element path, root first
	kinds          []string // the path's element kinds
	inInventory    bool
}

func (li *lineInfo) incidentLine(id string) incident.Line {
	return incident.Line{ID: id, Customer: li.customer, Tier: li.tier, Path: li.path}
}

// lineCache is the inventory cache: every line watched, by circuit id,
// with what the inventory says about it. Lines the inventory does not know
// are in it too (watched all the same, with no customer). The Monitor's mu
// guards it.
type lineCache map[string]*lineInfo

// info returns a line's inventory facts, adding an unknown line on first
// sight: its results are detected all the same.
func (c lineCache) info(id string) *lineInfo {
	li, ok := c[id]
	if !ok {
		li = &lineInfo{}
		c[id] = li
	}
	return li
}

// update takes a fresh read of the inventory: lines removed from it stay
// watched, as unknown lines. It calls assign for every inventory line.
func (c lineCache) update(infos map[string]*lineInfo, assign func(string, *lineInfo)) {
	for id, li := range c {
		if _, ok := infos[id]; !ok && li.inInventory {
			c[id] = &lineInfo{} // removed from the inventory; still watched
		}
	}
	for id, li := range infos {
		c[id] = li
		assign(id, li)
	}
}

// loadInventory reads every line with its customer's tier and its element
// path. Paths are cached per element: thousands of lines share one port's
// ancestors. It runs without the Monitor's lock (it queries the database).
func loadInventory(ctx context.Context, inv inventory.Store) (map[string]*lineInfo, error) {
	out := map[string]*lineInfo{}
	tiers, err := loadTiers(ctx, inv)
	if err != nil {
		return nil, err
	}
	paths := map[string][]string{}
	kinds := map[string][]string{}
	if el, ok := inv.(elementLister); ok {
		// The whole tree in one query; at 50,000 lines a query per port
		// took seconds of CPU every refresh.
		all, err := el.Elements(ctx)
		if err != nil {
			return nil, fmt.Errorf("inventory elements: %w", err)
		}
		for id, els := range inventory.Paths(all) {
			p, k := make([]string, len(els)), make([]string, len(els))
			for i, e := range els {
				p[i], k[i] = e.ID, e.Kind
			}
			paths[id], kinds[id] = p, k
		}
	}
	page := inventory.Page{}
	for {
		ls, err := inv.Lines(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("inventory lines: %w", err)
		}
		for _, l := range ls {
			info := &lineInfo{customer: l.CustomerID, inInventory: true}
			tier, ok := tiers[l.CustomerID]
			if !ok {
				c, err := inv.Customer(ctx, l.CustomerID)
				if err != nil && !errors.Is(err, inventory.ErrNotFound) {
					return nil, fmt.Errorf("inventory customer %s: %w", l.CustomerID, err)
				}
				tier = string(c.Tier)
				tiers[l.CustomerID] = tier
			}
			info.tier = tier
			if e := l.UpstreamElement; e != "" {
				p, ok := paths[e]
				if !ok {
					els, err := inv.ElementPath(ctx, e)
					if err != nil && !errors.Is(err, inventory.ErrNotFound) {
						return nil, fmt.Errorf("inventory element %s: %w", e, err)
					}
					var k []string
					for _, el := range els {
						p, k = append(p, el.ID), append(k, el.Kind)
					}
					paths[e], kinds[e] = p, k
				}
				info.path, info.kinds = p, kinds[e]
			}
			out[l.CircuitID] = info
		}
		if len(ls) < 1000 {
			return out, nil
		}
		page.After = ls[len(ls)-1].CircuitID
	}
}

// elementLister is a store that lists every element at once
// (inventory.SQLStore); others are asked for each element's path.
type elementLister interface {
	Elements(ctx context.Context) ([]inventory.Element, error)
}

// loadTiers reads every customer's tier, a page of 1,000 per query.
func loadTiers(ctx context.Context, inv inventory.Store) (map[string]string, error) {
	tiers := map[string]string{}
	page := inventory.Page{}
	for {
		cs, err := inv.Customers(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("inventory customers: %w", err)
		}
		for _, c := range cs {
			tiers[c.ID] = string(c.Tier)
		}
		if len(cs) < 1000 {
			return tiers, nil
		}
		page.After = cs[len(cs)-1].ID
	}
}

// forgetUnknown drops, after a restore, every line the inventory does not
// know from the cache and the detector, and returns how many the detector
// forgot. Before line evidence was gated (controller/evidence) an agent
// could make line health track any line tag it invented; a snapshot taken
// then must not bring 15,000 of them back. A line removed from the
// inventory while the controller runs stays watched (update) until the
// next restart.
func (mon *Monitor) forgetUnknown() int {
	mon.mu.Lock()
	defer mon.mu.Unlock()
	for id, li := range mon.lines {
		if !li.inInventory {
			delete(mon.lines, id)
		}
	}
	known := func(id string) bool {
		_, ok := mon.lines[id]
		return ok
	}
	mon.cad.forget(known)
	return mon.det.Retain(known)
}
