package registry

import (
	"context"
	"fmt"
	"math"
	"time"
)

// restore loads the stored agents. Each is offline until heard: the
// controller cannot know what happened while it was down. An agent stored
// online still owes dashboards an up=0 point if it stays silent, so it keeps
// announcedUp and gets a fresh deadline from now.
func (r *Registry) restore(ctx context.Context) error {
	rows, err := r.opts.DB.QueryContext(ctx, `SELECT id, site, version, config_rev, spool_depth,
		results_sent, results_dropped, interval_ms, clock_offset_ms, first_seen, last_seen, state, state_since
		FROM agents`)
	if err != nil {
		return fmt.Errorf("registry: restore agents: %w", err)
	}
	defer rows.Close()
	now := r.opts.Clock.Now()
	for rows.Next() {
		var a Agent
		var intervalMS, offsetMS, first, last, since int64
		var state string
		if err := rows.Scan(&a.ID, &a.Site, &a.Version, &a.ConfigRev, &a.SpoolDepth, &a.ResultsSent,
			&a.ResultsDropped, &intervalMS, &offsetMS, &first, &last, &state, &since); err != nil {
			return fmt.Errorf("registry: restore agents: %w", err)
		}
		interval := time.Duration(intervalMS) * time.Millisecond
		if interval <= 0 {
			interval = r.opts.DefaultInterval
		}
		a.HeartbeatIntervalS = interval.Seconds()
		a.ClockOffsetS = float64(offsetMS) / 1000
		off := time.Duration(offsetMS) * time.Millisecond
		a.ClockSkewed = off > r.opts.MaxClockOffset || -off > r.opts.MaxClockOffset
		a.FirstSeen, a.LastSeen = time.UnixMilli(first).UTC(), time.UnixMilli(last).UTC()
		a.State, a.StateSince = Offline, time.UnixMilli(since).UTC()
		e := &entry{Agent: a}
		if State(state) == Online {
			e.StateSince, e.dirty = now, true
			e.announcedUp = true
			e.deadline = now.Add(time.Duration(r.opts.MissedHeartbeats) * interval)
		}
		r.agents[a.ID] = e
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("registry: restore agents: %w", err)
	}
	if n := len(r.agents); n > 0 {
		r.log.Info("agents restored, offline until heard", "agents", n)
	}
	return nil
}

// store upserts rows in one transaction.
func (r *Registry) store(ctx context.Context, rows []Agent) error {
	if len(rows) == 0 || r.opts.DB == nil {
		return nil
	}
	tx, err := r.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO agents (id, site, version, config_rev, spool_depth,
		results_sent, results_dropped, interval_ms, clock_offset_ms, first_seen, last_seen, state, state_since)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET site = excluded.site, version = excluded.version,
		config_rev = excluded.config_rev, spool_depth = excluded.spool_depth,
		results_sent = excluded.results_sent, results_dropped = excluded.results_dropped,
		interval_ms = excluded.interval_ms, clock_offset_ms = excluded.clock_offset_ms,
		last_seen = excluded.last_seen, state = excluded.state, state_since = excluded.state_since`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, a := range rows {
		// SQLite integers are signed 64-bit; counters that large are
		// clamped rather than refused.
		if _, err := st.ExecContext(ctx, a.ID, a.Site, a.Version, clamp(a.ConfigRev), a.SpoolDepth,
			clamp(a.ResultsSent), clamp(a.ResultsDropped), int64(math.Round(a.HeartbeatIntervalS*1000)),
			int64(math.Round(a.ClockOffsetS*1000)), a.FirstSeen.UnixMilli(), a.LastSeen.UnixMilli(),
			string(a.State), a.StateSince.UnixMilli()); err != nil {
			return fmt.Errorf("agent %s: %w", a.ID, err)
		}
	}
	return tx.Commit()
}

func clamp(v uint64) int64 {
	if v > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(v)
}
