package linehealth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vantage-net/vantage/controller/incident"
)

// Partition makes a Monitor the line health of one partition of a cluster
// (controller/partition): several Monitors, one per partition, on several
// controllers, share one PostgreSQL database. Each keeps its own snapshot
// row (detector_snapshots "linestate.<Name>") and its own journal rows
// (linestate_journal.part = Name), so a partition's restart on another
// controller (its handover) is the single controller's restart path:
// restore the partition's snapshot, replay its journal, and take the
// messages not yet acked again (journal.go says why nothing is lost or
// doubled).
//
// Fencing. Two owners of one partition (a paused or partitioned old owner
// whose lease expired while a new one took over) must never both commit:
// the old one could store events from a state the new one no longer has.
// New takes the partition in the database before it restores
// (partition_epochs: the epoch bumped, so the old owner's epoch is stale),
// and every commit and snapshot transaction first updates the row WHERE
// epoch is still its own. No row updated: the transaction is rolled back
// and ErrFenced returned, for ever after; the caller stops the Monitor.
// The update also locks the row, so a takeover waits for a commit in
// flight and then restores what it committed.
type Partition struct {
	// Name is the partition's key in the database, e.g. "p3".
	Name string
	// Owner names the controller (partition_epochs.owner, for people).
	Owner string
	// Owns reports whether a line belongs to the partition: only those
	// lines are cached, restored (detector state, open incidents, recent
	// down spans, live rows, line_states) and watched.
	Owns func(line string) bool
	// Inventory, if set, is where the Monitor takes its lines from at
	// every refresh instead of reading the database: the cluster node's
	// read, shared by all its partitions and renewed when the inventory
	// version moves. Nil: the Monitor reads the inventory itself.
	Inventory func() *Inventory
}

// ErrFenced is returned by every commit and snapshot of a partition's
// Monitor once a newer owner has taken the partition.
var ErrFenced = errors.New("linehealth: partition taken by a newer owner (fenced)")

// Fenced reports whether a newer owner has taken this Monitor's partition.
func (mon *Monitor) Fenced() bool { return mon.fenced.Load() }

// owns reports whether line is the Monitor's (every line without a Partition).
func (mon *Monitor) owns(line string) bool {
	return mon.opts.Partition == nil || mon.opts.Partition.Owns(line)
}

// ownsIncident reports whether an incident stored in the database is the
// Monitor's: one of its lines is (incidents are grouped by PoP, and a
// partition holds whole PoPs, so its lines are all one partition's).
func (mon *Monitor) ownsIncident(in incident.Incident) bool {
	if mon.opts.Partition == nil {
		return true
	}
	for _, m := range in.Members {
		if mon.owns(m.Line) {
			return true
		}
	}
	return false
}

// part is the journal's part column: "" for a single controller.
func (mon *Monitor) part() string {
	if p := mon.opts.Partition; p != nil {
		return p.Name
	}
	return ""
}

// snapshotRow is the Monitor's detector_snapshots row.
func (mon *Monitor) snapshotRow() string {
	if p := mon.opts.Partition; p != nil {
		return snapshotName + "." + p.Name
	}
	return snapshotName
}

// takePartition bumps the partition's epoch (creating its row on first
// use) and keeps the new one: from its commit on, the previous owner's
// commits find no row of their epoch.
func (mon *Monitor) takePartition(ctx context.Context) error {
	p := mon.opts.Partition
	if p == nil {
		return nil
	}
	now := ms(mon.opts.Now())
	err := mon.opts.DB.QueryRowContext(ctx, `INSERT INTO partition_epochs (part, epoch, owner, taken_at, committed_at)
		VALUES (?, 1, ?, ?, ?)
		ON CONFLICT (part) DO UPDATE SET epoch = partition_epochs.epoch + 1, owner = excluded.owner, taken_at = excluded.taken_at
		RETURNING epoch`, p.Name, p.Owner, now, now).Scan(&mon.epoch)
	if err != nil {
		return fmt.Errorf("linehealth: take partition %s: %w", p.Name, err)
	}
	mon.log.Info("partition taken in the database", "partition", p.Name, "epoch", mon.epoch)
	return nil
}

// fence checks, inside tx and first of all, that the Monitor still owns
// its partition, locking its epoch row until tx ends.
func (mon *Monitor) fence(ctx context.Context, tx *sql.Tx) error {
	p := mon.opts.Partition
	if p == nil {
		return nil
	}
	if mon.fenced.Load() {
		return ErrFenced
	}
	res, err := tx.ExecContext(ctx, `UPDATE partition_epochs SET committed_at = ? WHERE part = ? AND epoch = ?`,
		ms(mon.opts.Now()), p.Name, mon.epoch)
	if err != nil {
		return fmt.Errorf("partition epoch: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("partition epoch: %w", err)
	} else if n == 0 {
		if !mon.fenced.Swap(true) {
			mon.log.Warn("partition taken by a newer owner: this Monitor commits nothing more", "partition", p.Name, "epoch", mon.epoch)
		}
		return ErrFenced
	}
	return nil
}

// scopedLines is the JSON array of the cached lines, for deleting a
// partition's line_states rows; the caller holds mu.
func (mon *Monitor) scopedLines() []string {
	out := make([]string, 0, len(mon.lines))
	for id := range mon.lines {
		out = append(out, id)
	}
	return out
}
