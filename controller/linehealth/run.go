package linehealth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// tick advances the detector to now and commits what that produced.
func (mon *Monitor) tick(ctx context.Context, now time.Time) error {
	mon.commitMu.Lock()
	defer mon.commitMu.Unlock()
	mon.mu.Lock()
	if at, ok := mon.detectorNow(now); ok {
		mon.take(mon.det.Advance(at), false)
	}
	// What is kept "for a horizon" is kept by the detector's clock: with
	// ArrivalClock it follows a backlog's arrival, and by the wall clock a
	// backlog older than the horizon would lose its down spans (a second
	// incident for its outage) and its causes before its events are final.
	clock := mon.det.Clock()
	mon.decideIncidents(clock)
	mon.down.prune(clock.Add(-2 * mon.det.Horizon()))
	mon.m.incidentsOpen.Set(float64(len(mon.grp.Open())))
	st := mon.det.Stats()
	mon.m.lines.Set(float64(st.Lines))
	mon.m.pending.Set(float64(st.Pending))
	mon.mu.Unlock()
	return mon.commit(ctx)
}

// Run drives the detector's clock, saves snapshots and re-reads the
// inventory until ctx ends; then it commits what is left and a last
// snapshot. A partition's Monitor stops with ErrFenced once a newer
// owner took its partition, without a final commit. Call it alongside the ingest and cancel it after the ingest
// has stopped, so the last results are in the final snapshot.
func (mon *Monitor) Run(ctx context.Context) error {
	tick := time.NewTicker(mon.opts.Tick)
	defer tick.Stop()
	lastSnap, lastInv := mon.opts.Now(), mon.opts.Now()
	for {
		select {
		case <-ctx.Done():
			return mon.shutdown()
		case <-tick.C:
		}
		now := mon.opts.Now()
		wctx, cancel := context.WithTimeout(ctx, mon.opts.WriteTimeout)
		err := mon.tick(wctx, now)
		cancel()
		if errors.Is(err, ErrFenced) {
			return err // a newer owner has the partition (partition.go)
		}
		if err != nil {
			continue // logged by commit; retried next tick
		}
		if now.Sub(lastInv) >= mon.opts.InventoryRefresh {
			lastInv = now
			if err := mon.refreshIfChanged(ctx); err != nil && ctx.Err() == nil {
				mon.log.Warn("inventory refresh failed; keeping the previous one", "err", err)
			}
		}
		if now.Sub(lastSnap) >= mon.opts.SnapshotEvery {
			if mon.snapshot(ctx) == nil {
				lastSnap = now
			}
		}
	}
}

func (mon *Monitor) shutdown() error {
	if mon.Fenced() {
		return ErrFenced
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*mon.opts.WriteTimeout)
	defer cancel()
	if err := mon.tick(ctx, mon.opts.Now()); err != nil {
		return fmt.Errorf("linehealth: final commit: %w", err)
	}
	if err := mon.snapshot(ctx); err != nil {
		return fmt.Errorf("linehealth: final snapshot: %w", err)
	}
	return nil
}

// snapshot saves the detector's state with the newest journal row it
// includes, if every output is committed (else a restart from it would
// lose the uncommitted ones: their evidence would be a duplicate).
//
// The locks are held only to take a view of the detector (linestate.View:
// a copy of its small per-line state, sharing the reorder buffers) and the
// journal row it matches; encoding it, which at 50,000 lines takes
// seconds, and writing it run while Handle goes on (issue 16: the ingest
// stood still for the encoding once a minute). A result committed after
// the view is in a journal row after seq, which the snapshot's
// transaction keeps, so the exactly-once argument (journal.go) holds.
func (mon *Monitor) snapshot(ctx context.Context) error {
	start := time.Now()
	mon.snapMu.Lock() // one view at a time (Run and shutdown never overlap; handover may)
	defer mon.snapMu.Unlock()
	mon.commitMu.Lock()
	mon.mu.Lock()
	if mon.pend.len() > 0 {
		mon.mu.Unlock()
		mon.commitMu.Unlock()
		return errors.New("outputs not committed")
	}
	view, err := mon.det.View()
	seq := mon.journalSeq
	mon.mu.Unlock()
	// Commits after this point add journal rows after seq, which the
	// snapshot does not include and its transaction does not delete.
	mon.commitMu.Unlock()
	mon.m.snapshotLockSeconds.Set(time.Since(start).Seconds())
	var data []byte
	if err == nil {
		if mon.afterView != nil {
			mon.afterView()
		}
		data, err = view.Encode()
		mon.mu.Lock()
		view.Release()
		mon.mu.Unlock()
	}
	if err == nil {
		err = mon.saveSnapshot(ctx, data, seq, mon.opts.Now())
	}
	if err != nil {
		mon.log.Warn("line-state snapshot failed", "err", err)
		return err
	}
	mon.m.snapshotBytes.Set(float64(len(data)))
	mon.m.snapshotSeconds.Set(time.Since(start).Seconds())
	return nil
}
