package partition

import (
	"context"
	"slices"
	"time"

	"github.com/vantage-net/vantage/controller/linehealth"
)

// Inventory changes reach a running cluster without a restart. Every
// import that changes a row bumps the inventory version in its own
// transaction (controller/inventory version.go); every node reads the
// version on each lease tick (one primary-key read) and, when it moved,
// reads the inventory once (linehealth.LoadInventory), builds the new map
// and applies it to the partitions it runs:
//
//   - a partition that lost a line (its PoP moved to another partition)
//     first closes the line's open incidents with a "moved" note
//     (release), then is restarted through the handover path: final
//     commit and snapshot, then restore with the new map, so the line's
//     state is dropped here; its new partition starts it fresh, as a
//     newly imported line;
//   - every other partition takes the new map in place: its Monitor
//     refreshes from the shared read (no query), and if its agents
//     changed (a new agent, one homed elsewhere now) the worker commits
//     what it applied and recreates its consumer with the new filter.
//
// Nodes switch at slightly different moments (up to one lease tick
// apart). The results stream refuses a consumer whose filter overlaps
// another's (work-queue retention), so an agent moving from partition A
// to B is taken by B only once A's owner has dropped it; until then B's
// worker retries its consumer every tick, and the agent's results wait in
// the stream, in order. Nothing is lost: a result is acked only after the
// partition that applied it committed it.
//
// Failure modes. A version read or an inventory read that fails keeps
// the map in use and is retried next tick (counted in
// vantage_controller_partition_inventory_reloads_total{result="error"}).
// There is no notification to lose: the poll is the mechanism. A row
// changed behind the import's back (hand-written SQL) does not bump the
// version; the full re-read every Options.InventoryResync (default 10
// min) takes it in then.

// versioner is an inventory store with a change counter
// (inventory.SQLStore.Version).
type versioner interface {
	Version(ctx context.Context) (int64, error)
}

// inventoryState is one read of the inventory and the map built from it.
type inventoryState struct {
	version int64 // -1: the store has no version
	view    *linehealth.Inventory
	m       *Map
	read    time.Time
}

// loadInventory reads the version first, then the inventory: an import
// committed between the two is read with the older version, and read
// again at the next tick, never the other way round.
func (n *Node) loadInventory(ctx context.Context) (*inventoryState, error) {
	st := &inventoryState{version: -1, read: n.leases.opts.Now()}
	if vs, ok := n.o.Health.Inventory.(versioner); ok {
		v, err := vs.Version(ctx)
		if err != nil {
			return nil, err
		}
		st.version = v
	}
	var err error
	if st.view, err = linehealth.LoadInventory(ctx, n.o.Health.Inventory); err != nil {
		return nil, err
	}
	st.m = FromView(st.view, n.o.Leases.Partitions, n.o.ExtraAgents)
	return st, nil
}

// inventoryLoop checks the inventory every lease tick until ctx ends.
func (n *Node) inventoryLoop(ctx context.Context) {
	t := time.NewTicker(n.leases.opts.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ictx, cancel := context.WithTimeout(ctx, time.Minute)
		n.checkInventory(ictx)
		cancel()
	}
}

// checkInventory reloads the inventory when its version moved (or the
// resync is due) and applies the new map.
func (n *Node) checkInventory(ctx context.Context) {
	cur := n.inv.Load()
	vs, ok := n.o.Health.Inventory.(versioner)
	if !ok {
		return
	}
	v, err := vs.Version(ctx)
	if err != nil {
		if ctx.Err() == nil {
			n.m.reloads.WithLabelValues("error").Inc()
			n.log.Warn("inventory version not read; keeping the partition map", "err", err)
		}
		return
	}
	if v == cur.version && n.leases.opts.Now().Sub(cur.read) < n.o.InventoryResync {
		return
	}
	next, err := n.loadInventory(ctx)
	if err != nil {
		if ctx.Err() == nil {
			n.m.reloads.WithLabelValues("error").Inc()
			n.log.Warn("inventory not read; keeping the partition map", "err", err)
		}
		return
	}
	n.m.reloads.WithLabelValues("ok").Inc()
	n.m.version.Set(float64(next.version))
	n.applyInventory(ctx, cur, next)
}

// applyInventory makes next the node's inventory and hands it to the
// running partitions (see the comment at the top of this file).
func (n *Node) applyInventory(ctx context.Context, cur, next *inventoryState) {
	left := linesLeft(cur.m, next.m)
	n.mu.Lock()
	n.inv.Store(next) // under mu: see start
	runs := make(map[int]*run, len(n.running))
	for p, r := range n.running {
		if !n.leaving[p] {
			runs[p] = r
		}
	}
	n.mu.Unlock()
	restarted, moved := 0, 0
	for p, r := range runs {
		if lines := left[p]; len(lines) > 0 {
			restarted++
			n.release(ctx, p, r, lines, next.m)
			n.restart(p)
			continue
		}
		if !slices.Equal(cur.m.Subjects(p), next.m.Subjects(p)) {
			moved++
		}
		r.live.Store(next.m)
		if mon := r.mon.Load(); mon != nil {
			if err := mon.RefreshInventory(ctx); err != nil {
				n.log.Warn("partition line health not refreshed", "partition", p, "err", err)
			}
		}
	}
	n.log.Info("inventory changed: partition map rebuilt", "version", next.version, "lines", next.view.Len(),
		"partitions_restarted", restarted, "partitions_refiltered", moved)
}

// restart stops partition p's worker gracefully (final commit and
// snapshot); the next step starts it again with the node's map.
func (n *Node) restart(p int) {
	n.mu.Lock()
	busy := n.leaving[p]
	n.leaving[p] = true
	n.mu.Unlock()
	if busy {
		return
	}
	n.m.moves.WithLabelValues("remapped").Inc()
	go func() {
		n.stop(p)
		n.mu.Lock()
		delete(n.leaving, p)
		n.mu.Unlock()
		n.log.Info("partition restarted for an inventory change (a line moved to another partition)", "partition", p)
	}()
}

// release settles the lines partition p lost before it restarts without
// them: its worker takes the new map first (no more of their evidence is
// fed here), then its Monitor closes their open incidents with a "moved"
// note (linehealth.Monitor.Release). Without this an incident open on a
// moved line stayed open for ever: the restarted partition no longer
// restores it (the line is not its own) and the new partition never had
// it. A release that fails (the database refused the commit) is logged
// and counted; the incident then has to be closed by hand, as before.
func (n *Node) release(ctx context.Context, p int, r *run, lines []string, next *Map) {
	r.live.Store(next)
	mon := r.mon.Load()
	if mon == nil {
		return // not restored yet: its restart restores nothing of them
	}
	for _, l := range lines {
		note := "line removed from the inventory"
		if q, ok := next.Line(l); ok {
			note = "line moved to partition " + PartitionName(q) + " (inventory change); watched afresh there"
		}
		if err := mon.Release(ctx, []string{l}, note); err != nil {
			n.m.reloads.WithLabelValues("release_error").Inc()
			n.log.Warn("moved line's open incidents not closed; close them by hand", "partition", p, "line", l, "err", err)
			return
		}
	}
}

// linesLeft are, per partition, the lines it lost to another partition
// or to nowhere (removed from the inventory).
func linesLeft(old, next *Map) map[int][]string {
	out := map[int][]string{}
	for l, p := range old.line {
		if q, ok := next.line[l]; !ok || q != p {
			out[p] = append(out[p], l)
		}
	}
	return out
}
