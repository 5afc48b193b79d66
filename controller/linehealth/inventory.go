package linehealth

import (
	"context"
	"fmt"
	"maps"

	"github.com/vantage-net/vantage/controller/inventory"
)

// Inventory is one read of what line health needs from the inventory:
// every line's customer, tier and element path, and who watches what. It
// is read-only once loaded, so one read can serve several Monitors: a
// cluster node reads it once per inventory version and shares it between
// its partitions' Monitors (Partition.Inventory), which then read nothing
// from the database to refresh (issue 16: each of 16 partitions re-read
// all 50,000 lines every minute).
type Inventory struct {
	lines   map[string]*lineInfo
	watched *inventory.Watched
	// watchedLines are the lines some agent watches (incident topology).
	watchedLines map[string]struct{}
}

// LoadInventory reads the whole inventory for line health: its lines with
// their customers' tiers and element paths, and every agent's
// assignments.
func LoadInventory(ctx context.Context, inv inventory.Store) (*Inventory, error) {
	infos, err := loadInventory(ctx, inv)
	if err != nil {
		return nil, fmt.Errorf("linehealth: %w", err)
	}
	w, err := inv.WatchedLines(ctx)
	if err != nil {
		return nil, fmt.Errorf("linehealth: inventory watched lines: %w", err)
	}
	v := &Inventory{lines: infos, watched: w, watchedLines: map[string]struct{}{}}
	for _, lines := range w.ByAgent {
		maps.Copy(v.watchedLines, lines)
	}
	return v, nil
}

// Len is the number of inventory lines.
func (v *Inventory) Len() int { return len(v.lines) }

// PoP is the top of a line's element tree ("" when it has none), and
// whether the inventory holds the line.
func (v *Inventory) PoP(line string) (string, bool) {
	li, ok := v.lines[line]
	if !ok || len(li.path) == 0 {
		return "", ok
	}
	return li.path[0], true
}

// LinePoPs maps every line to its PoP (PoP).
func (v *Inventory) LinePoPs() map[string]string {
	out := make(map[string]string, len(v.lines))
	for id := range v.lines {
		out[id], _ = v.PoP(id)
	}
	return out
}

// Watched is the inventory's assignments: which agent watches which line.
func (v *Inventory) Watched() *inventory.Watched { return v.watched }

// RefreshInventory re-reads the inventory now (a Partition's from its
// shared Inventory, which costs no query), instead of at the next
// InventoryRefresh: a cluster node calls it when the inventory version
// moved.
func (mon *Monitor) RefreshInventory(ctx context.Context) error { return mon.refreshInventory(ctx) }

// refreshInventory re-reads the inventory and gives every line its profile.
func (mon *Monitor) refreshInventory(ctx context.Context) error {
	var v *Inventory
	if p := mon.opts.Partition; p != nil && p.Inventory != nil {
		v = p.Inventory()
		mon.mu.Lock()
		same := v == mon.applied
		mon.mu.Unlock()
		if same {
			return nil // a new read comes with every inventory change (and its new map)
		}
	} else {
		// The version first, then the inventory: an import committed
		// between the two is read with the older version and read again
		// at the next poll, never missed.
		version := int64(-1)
		if vs, ok := mon.opts.Inventory.(versioner); ok {
			var err error
			if version, err = vs.Version(ctx); err != nil {
				return fmt.Errorf("linehealth: %w", err)
			}
		}
		read := mon.opts.Now()
		var err error
		if v, err = LoadInventory(ctx, mon.opts.Inventory); err != nil {
			return err
		}
		mon.invVersion, mon.invRead = version, read
		mon.m.inventoryReads.Inc()
	}
	infos := v.lines
	if mon.opts.Partition != nil {
		infos = make(map[string]*lineInfo)
		for id, li := range v.lines {
			if mon.owns(id) {
				infos[id] = li
			}
		}
	}
	mon.mu.Lock()
	defer mon.mu.Unlock()
	mon.applied = v
	mon.lines.update(infos, mon.assign)
	mon.grp.SetTopology(mon.lines.topology(v.watchedLines))
	mon.cause.SetTopology(newTopology(v.watched, infos))
	return nil
}

// versioner is an inventory store with a change counter that every
// import bumps (inventory.SQLStore.Version).
type versioner interface {
	Version(ctx context.Context) (int64, error)
}

// refreshIfChanged is the clock loop's periodic refresh. A Monitor that
// reads its own inventory (a single controller's) re-reads it only when
// the inventory version moved or InventoryResync has passed since its last
// read: one primary-key read a minute instead of the whole inventory
// (50,000 lines). A partition's Monitor refreshes from its node's shared
// read, which the node renews on the same version (controller/partition).
func (mon *Monitor) refreshIfChanged(ctx context.Context) error {
	if p := mon.opts.Partition; p == nil || p.Inventory == nil {
		if vs, ok := mon.opts.Inventory.(versioner); ok && mon.invVersion >= 0 &&
			mon.opts.Now().Sub(mon.invRead) < mon.opts.InventoryResync {
			v, err := vs.Version(ctx)
			if err != nil {
				return fmt.Errorf("linehealth: %w", err)
			}
			if v == mon.invVersion {
				return nil
			}
		}
	}
	return mon.refreshInventory(ctx)
}

// NoInventory is an Inventory without lines, for a Monitor that watches
// none (a cluster controller's own Monitor: its partitions' Monitors
// watch the lines), so its refresh reads nothing.
func NoInventory() *Inventory {
	return &Inventory{lines: map[string]*lineInfo{}, watched: &inventory.Watched{}, watchedLines: map[string]struct{}{}}
}
