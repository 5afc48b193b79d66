package linehealth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/store/sqldb"
)

// Times in the database are Unix milliseconds (migrations 0002, 0003).
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// endMS is an event's end in Unix ms, 0 while it is open (no end).
func endMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

// upsertEvent: a replayed event updates its own row (circuit, kind, start)
// and keeps when it was first recorded.
const upsertEvent = `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, duration_s, loss_pct, recorded_at)
	VALUES (?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (circuit_id, kind, started_at) DO UPDATE SET ended_at = excluded.ended_at,
		duration_s = excluded.duration_s, loss_pct = excluded.loss_pct`

const upsertIncident = `INSERT INTO incidents (id, kind, root_element, started_at, ended_at, lines, customers, timeline, root_path, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, root_element = excluded.root_element,
		started_at = excluded.started_at, ended_at = excluded.ended_at, lines = excluded.lines,
		customers = excluded.customers, timeline = excluded.timeline, root_path = excluded.root_path,
		updated_at = excluded.updated_at`

func storeIncident(ctx context.Context, tx *sql.Tx, in *incident.Incident) error {
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	customers := in.Customers()
	if customers == nil {
		customers = []incident.Customer{}
	}
	if _, err := tx.ExecContext(ctx, upsertIncident, in.ID, string(in.Kind), in.Root, ms(in.Start), nullMS(in.End),
		enc(in.Members), enc(customers), enc(in.Timeline), enc(in.RootPath), ms(in.Updated)); err != nil {
		return err
	}
	if err := storeGrouping(ctx, tx, in); err != nil {
		return err
	}
	for _, m := range in.Members {
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_lines (incident_id, circuit_id, customer_id) VALUES (?, ?, ?)
			ON CONFLICT (incident_id, circuit_id) DO UPDATE SET customer_id = excluded.customer_id`, in.ID, m.Line, m.Customer); err != nil {
			return err
		}
	}
	return nil
}

const incidentColumns = `id, kind, root_element, started_at, ended_at, lines, timeline, root_path, updated_at, grouping, merged_into`

func scanIncident(row interface{ Scan(...any) error }) (incident.Incident, error) {
	var (
		in                        incident.Incident
		kind                      string
		start, updated            int64
		end                       sql.NullInt64
		lines, timeline, rootPath string
		grouping                  sql.NullString
		mergedInto                sql.NullInt64
	)
	if err := row.Scan(&in.ID, &kind, &in.Root, &start, &end, &lines, &timeline, &rootPath, &updated, &grouping, &mergedInto); err != nil {
		return in, err
	}
	if err := scanGrouping(&in, grouping, mergedInto); err != nil {
		return in, err
	}
	in.Kind, in.Start, in.Updated = incident.Kind(kind), fromMS(start), fromMS(updated)
	if end.Valid {
		in.End = fromMS(end.Int64)
	}
	if err := errors.Join(json.Unmarshal([]byte(lines), &in.Members), json.Unmarshal([]byte(timeline), &in.Timeline),
		json.Unmarshal([]byte(rootPath), &in.RootPath)); err != nil {
		return in, fmt.Errorf("incident %d: %w", in.ID, err)
	}
	return in, nil
}

// loadOpenIncidents returns the open incidents and the next free id.
func loadOpenIncidents(ctx context.Context, db *sql.DB) ([]incident.Incident, int64, error) {
	var maxID sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(id) FROM incidents`).Scan(&maxID); err != nil {
		return nil, 0, fmt.Errorf("read incidents: %w", err)
	}
	rows, err := db.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE ended_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, 0, fmt.Errorf("read open incidents: %w", err)
	}
	defer rows.Close()
	var out []incident.Incident
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, in)
	}
	return out, maxID.Int64 + 1, rows.Err()
}

// incidentIDBlock reserves this controller's incident IDs on a shared
// PostgreSQL database: a block of 2^32 from incident_id_blocks, above every
// earlier block (IDs stay below 2^53, exact in JSON, for 2^21 = two
// million blocks; int64 holds 2^31 of them). SQLite has one controller: ok
// is false and IDs follow max(id). A partition keeps one block for life
// (partitionIDBlock): first is then past the highest ID stored in it.
func (mon *Monitor) incidentIDBlock(ctx context.Context) (first, last int64, ok bool, err error) {
	db := mon.opts.DB
	if !sqldb.Postgres(db) {
		return 0, 0, false, nil
	}
	if mon.opts.Partition != nil {
		return mon.partitionIDBlock(ctx)
	}
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT nextval('incident_id_blocks')`).Scan(&n); err != nil {
		return 0, 0, false, fmt.Errorf("reserve incident ids: %w", err)
	}
	return n << 32, (n + 1) << 32, true, nil
}

// partitionIDBlock is the partition's block of incident IDs, taken on its
// first start and kept in partition_epochs.id_block (migration 0069), and
// the first free ID in it. Every start used to take a new block: a
// partition moving or restarting (failover, rebalance, a worker restarted
// every lease tick while its database failed) spent 2^32 IDs each time,
// and past 2^21 starts the IDs leave JSON's exact integers. Only the
// partition's owner writes its incidents (its commits are fenced by the
// epoch it took just before), so the block's highest stored ID is the
// last one used.
func (mon *Monitor) partitionIDBlock(ctx context.Context) (first, last int64, ok bool, err error) {
	db, p := mon.opts.DB, mon.opts.Partition
	var blk sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT id_block FROM partition_epochs WHERE part = ? AND epoch = ?`, p.Name, mon.epoch).Scan(&blk); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			mon.fenced.Store(true)
			return 0, 0, false, ErrFenced
		}
		return 0, 0, false, fmt.Errorf("partition incident id block: %w", err)
	}
	if !blk.Valid {
		if err := db.QueryRowContext(ctx, `SELECT nextval('incident_id_blocks')`).Scan(&blk.Int64); err != nil {
			return 0, 0, false, fmt.Errorf("reserve incident ids: %w", err)
		}
		res, err := db.ExecContext(ctx, `UPDATE partition_epochs SET id_block = ? WHERE part = ? AND epoch = ?`, blk.Int64, p.Name, mon.epoch)
		if err != nil {
			return 0, 0, false, fmt.Errorf("partition incident id block: %w", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			mon.fenced.Store(true)
			return 0, 0, false, ErrFenced
		}
	}
	first, last = blk.Int64<<32, (blk.Int64+1)<<32
	var top sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(id) FROM incidents WHERE id >= ? AND id < ?`, first, last).Scan(&top); err != nil {
		return 0, 0, false, fmt.Errorf("partition incident ids: %w", err)
	}
	if top.Valid {
		first = top.Int64 + 1
	}
	return first, last, true, nil
}

// loadSnapshot returns the detector's last snapshot, when it was taken, and
// the newest journal row it covers.
func loadSnapshot(ctx context.Context, db *sql.DB, name string) ([]byte, time.Time, int64, error) {
	var data []byte
	var taken, seq int64
	err := db.QueryRowContext(ctx, `SELECT data, taken_at, journal_seq FROM detector_snapshots WHERE name = ?`, name).Scan(&data, &taken, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, 0, nil
	}
	if err != nil {
		return nil, time.Time{}, 0, fmt.Errorf("read detector snapshot: %w", err)
	}
	return data, fromMS(taken), seq, nil
}

// saveSnapshot stores the detector's snapshot and the newest journal row it
// covers (whose rows it deletes: the snapshot holds their evidence now). It
// also deletes the list of unknown lines earlier builds kept beside it. One
// transaction: a crash leaves the old snapshot with all its journal rows,
// or the new one with the rows after it.
func (mon *Monitor) saveSnapshot(ctx context.Context, data []byte, seq int64, now time.Time) error {
	tx, err := mon.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := mon.fence(ctx, tx); err != nil {
		return err
	}
	const q = `INSERT INTO detector_snapshots (name, taken_at, data, journal_seq) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET taken_at = excluded.taken_at, data = excluded.data, journal_seq = excluded.journal_seq`
	if _, err := tx.ExecContext(ctx, q, mon.snapshotRow(), ms(now), data, seq); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM detector_snapshots WHERE name = ?`, unknownLinesName); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM linestate_journal WHERE part = ? AND seq <= ?`, mon.part(), seq); err != nil {
		return err
	}
	return tx.Commit()
}
