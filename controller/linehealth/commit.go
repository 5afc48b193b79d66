package linehealth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/shipper"
)

// commit stores everything produced so far in ONE transaction: the
// evidence for the journal, events, incident changes, the changed lines'
// current states (states.go) and the points for InfluxDB (queued for the
// shipper). When it returns nil, every output of
// every message handed to Handle so far is durable, so the ingest may ack;
// nothing here waits for InfluxDB. On failure the outputs stay for the
// next commit and the error is returned (Handle's caller then redelivers,
// and the redelivered evidence is a duplicate whose outputs are these).
// The caller holds commitMu.
func (mon *Monitor) commit(ctx context.Context) error {
	mon.mu.Lock()
	p := mon.pend.take()
	p.states = append(p.states, mon.captureStates()...)
	var scope []string // the line_states rows a resync replaces (nil: all)
	if p.resync && mon.opts.Partition != nil {
		scope = mon.scopedLines()
	}
	mon.mu.Unlock()
	if p.len() == 0 {
		return nil
	}
	q, seq, err := mon.store(ctx, &p, scope)
	if errors.Is(err, ErrFenced) {
		return err // nothing more is committed (partition.go)
	}
	if err != nil {
		mon.m.writeErrors.WithLabelValues("database").Inc()
		mon.log.Warn("line-health outputs not committed; will retry", "evidence", len(p.evidence), "events", len(p.events),
			"incidents", len(p.incidents), "points", len(p.points), "states", len(p.states), "err", err)
		mon.mu.Lock()
		mon.pend.putBack(p)
		if n := mon.pend.trim(mon.opts.MaxUncommitted); n > 0 {
			mon.m.uncommittedDropped.Add(float64(n))
		}
		mon.m.uncommitted.Set(float64(mon.pend.len()))
		mon.mu.Unlock()
		return fmt.Errorf("linehealth: database: %w", err)
	}
	mon.opts.Shipper.Committed(q)
	mon.mu.Lock()
	if seq > 0 {
		mon.journalSeq = seq
	}
	mon.m.uncommitted.Set(float64(mon.pend.len()))
	mon.mu.Unlock()
	return nil
}

// store writes p in one transaction and returns the newest journal seq it
// wrote (0 if none).
func (mon *Monitor) store(ctx context.Context, p *outputs, scope []string) (shipper.Queued, int64, error) {
	tx, err := mon.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return shipper.Queued{}, 0, err
	}
	defer tx.Rollback()
	if err := mon.fence(ctx, tx); err != nil {
		return shipper.Queued{}, 0, err
	}
	seq, err := journal(ctx, tx, p, mon.part())
	if err != nil {
		return shipper.Queued{}, 0, err
	}
	if err := storeOutputs(ctx, tx, p, mon.opts.Now()); err != nil {
		return shipper.Queued{}, 0, err
	}
	if err := storeCauses(ctx, tx, p); err != nil {
		return shipper.Queued{}, 0, err
	}
	if err := storeStates(ctx, tx, p.states, p.resync, scope, mon.opts.Now()); err != nil {
		return shipper.Queued{}, 0, err
	}
	if h := mon.opts.IncidentHook; h != nil && len(p.incidents) > 0 {
		if err := h.IncidentsChanged(ctx, tx, p.incidents, mon.opts.Now()); err != nil {
			return shipper.Queued{}, 0, err
		}
	}
	q, err := mon.opts.Shipper.EnqueueTx(ctx, tx, p.points)
	if err != nil {
		return shipper.Queued{}, 0, err
	}
	return q, seq, tx.Commit()
}

// journal appends the accepted evidence to linestate_journal, all of one
// commit in one row (a JSON array, read back by replay): at 50,000 lines
// a row per evidence was 50,000 inserts a second, the largest part of a
// commit's cost.
func journal(ctx context.Context, tx *sql.Tx, p *outputs, part string) (int64, error) {
	if len(p.evidence) == 0 {
		return 0, nil
	}
	b, err := json.Marshal(p.evidence)
	if err != nil {
		return 0, fmt.Errorf("journal: %w", err)
	}
	// RETURNING, not LastInsertId: PostgreSQL has no last insert id.
	var seq int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO linestate_journal (part, evidence) VALUES (?, ?) RETURNING seq`, part, string(b)).Scan(&seq); err != nil {
		return 0, fmt.Errorf("journal: %w", err)
	}
	return seq, nil
}

// storeOutputs writes events and incidents inside tx.
func storeOutputs(ctx context.Context, tx *sql.Tx, p *outputs, now time.Time) error {
	for i := range p.events {
		if err := storeEvent(ctx, tx, &p.events[i], now); err != nil { // live.go
			return fmt.Errorf("line event %s %s: %w", p.events[i].Line, p.events[i].Kind, err)
		}
	}
	for _, in := range p.incidents {
		if err := storeIncident(ctx, tx, &in); err != nil {
			return fmt.Errorf("incident %d: %w", in.ID, err)
		}
	}
	return nil
}
