package linehealth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linestate"
)

// ReadOptions configure a ReadModel.
type ReadOptions struct {
	// DB is the controller's database: line_states, line_events and
	// incidents as the Monitor commits them, and the inventory's tables.
	DB *sql.DB
	// Inventory gives a line's inventory record (GET /api/v1/lines/{id})
	// and customers.
	Inventory inventory.Store
	// Horizon is the detector's lateness horizon (Monitor.Horizon): a
	// line's penalty is shown as of that long ago, where the detector
	// has sealed it. Zero shows it as of now.
	Horizon time.Duration
	// Now is the controller's clock. Default time.Now.
	Now func() time.Time
	// Timeline, if set, adds entries to an incident's timeline (GET
	// /api/v1/incidents/{id}): controller/notify's notifications,
	// acknowledgements and escalations. sees is the reader's scope.
	Timeline func(ctx context.Context, incidentID int64, sees func(customer string) bool) ([]incident.Entry, error)
}

// ReadModel answers the API (controller/api.Source) from what detection
// committed: line_states, line_events and incidents, with the inventory.
// It shares nothing with the Monitor but the database, so a read never
// takes the detector's lock and never waits for a commit; what it shows is
// the last commit, which Handle makes before the ingest acks. Lines are the
// inventory's, and lines with a committed state the inventory no longer
// has (shown with no customer, to a scope that sees all).
type ReadModel struct {
	db      *sql.DB
	inv     inventory.Store
	horizon time.Duration
	now     func() time.Time
	extra   func(ctx context.Context, incidentID int64, sees func(customer string) bool) ([]incident.Entry, error)
}

// NewReadModel returns the read model.
func NewReadModel(o ReadOptions) (*ReadModel, error) {
	if o.DB == nil || o.Inventory == nil {
		return nil, errors.New("linehealth: read model: DB and Inventory are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &ReadModel{db: o.DB, inv: o.Inventory, horizon: o.Horizon, now: o.Now, extra: o.Timeline}, nil
}

// The read model lists the inventory's lines with their customer and its
// tier, and the lines with a committed state the inventory no longer has
// (no customer), each joined with its committed state: two keyset queries,
// each walking its primary key, merged by id (pageViews).
const (
	stateColumns = `coalesce(s.state, 'unknown'), s.since, coalesce(s.penalty, 0), s.penalty_at,
		coalesce(s.half_life_ms, 0), coalesce(s.reuse, 0)`
	inventoryViews = `SELECT l.circuit_id, l.customer_id, coalesce(c.tier, ''), 1, ` + stateColumns + `
		FROM lines l LEFT JOIN customers c ON c.id = l.customer_id LEFT JOIN line_states s ON s.circuit_id = l.circuit_id`
	orphanViews = `SELECT s.circuit_id, '', '', 0, ` + stateColumns + ` FROM line_states s
		WHERE NOT EXISTS (SELECT 1 FROM lines l WHERE l.circuit_id = s.circuit_id)`
)

// pageViews returns the lines scope sees with ids after after, in id
// order, at most limit.
func (rm *ReadModel) pageViews(ctx context.Context, scope Scope, after string, limit int) ([]LineView, error) {
	// s.circuit_id > after is implied by the join and the WHERE, but
	// PostgreSQL does not infer it: without it the merge join walked
	// line_states from its first row to the page (31,000 rows for a page
	// at the 31,000th line, bench/api), so paging through the list cost
	// the square of its length.
	q, args := inventoryViews+` AND s.circuit_id > ? WHERE l.circuit_id > ?`, []any{after, after}
	if !scope.All() {
		q += ` AND l.customer_id IN (SELECT value FROM json_each(?))`
		args = append(args, scope.jsonIDs())
	}
	inv, err := rm.views(ctx, q+` ORDER BY l.circuit_id LIMIT ?`, append(args, limit)...)
	if err != nil || !scope.Sees("") {
		return inv, err
	}
	// Lines without a customer: only a scope that sees all sees them.
	// When the inventory filled the page, an orphan after its last line
	// cannot be on it: bound the scan there. Unbounded, the anti-join
	// walked every line_states row after the page (all of them when there
	// are no orphans), so each page cost the fleet's size, not the page's:
	// 50,000 lines paged 1,000 at a time scanned 1.3 million rows.
	oq, oargs := orphanViews+` AND s.circuit_id > ?`, []any{after}
	if len(inv) == limit {
		oq, oargs = oq+` AND s.circuit_id <= ?`, append(oargs, inv[len(inv)-1].ID)
	}
	orphans, err := rm.views(ctx, oq+` ORDER BY s.circuit_id LIMIT ?`, append(oargs, limit)...)
	if err != nil {
		return nil, err
	}
	out := make([]LineView, 0, min(limit, len(inv)+len(orphans)))
	for len(out) < limit && (len(inv) > 0 || len(orphans) > 0) {
		if len(orphans) == 0 || (len(inv) > 0 && inv[0].ID < orphans[0].ID) {
			out, inv = append(out, inv[0]), inv[1:]
		} else {
			out, orphans = append(out, orphans[0]), orphans[1:]
		}
	}
	return out, nil
}

// lineView returns one line's view; ok is false when the read model does
// not list it.
func (rm *ReadModel) lineView(ctx context.Context, id string) (v LineView, ok bool, err error) {
	vs, err := rm.views(ctx, inventoryViews+` WHERE l.circuit_id = ?`, id)
	if err == nil && len(vs) == 0 {
		vs, err = rm.views(ctx, orphanViews+` AND s.circuit_id = ?`, id)
	}
	if err != nil || len(vs) == 0 {
		return LineView{}, false, err
	}
	return vs[0], true, nil
}

// views runs q, one of the queries above, and returns its rows.
func (rm *ReadModel) views(ctx context.Context, q string, args ...any) ([]LineView, error) {
	rows, err := rm.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("lines: %w", err)
	}
	defer rows.Close()
	at := rm.now().Add(-rm.horizon)
	var out []LineView
	for rows.Next() {
		var (
			v                LineView
			since, penaltyAt sql.NullInt64
			halfLifeMS       int64
			penalty, reuse   float64
		)
		if err := rows.Scan(&v.ID, &v.Customer, &v.Tier, &v.InInventory, &v.State, &since, &penalty, &penaltyAt,
			&halfLifeMS, &reuse); err != nil {
			return nil, fmt.Errorf("lines: %w", err)
		}
		if since.Valid {
			v.Since = fromMS(since.Int64)
		}
		d := linestate.Decay{Value: penalty, HalfLife: time.Duration(halfLifeMS) * time.Millisecond, Reuse: reuse}
		if penaltyAt.Valid {
			d.At = fromMS(penaltyAt.Int64)
		}
		v.Penalty = d.ValueAt(at)
		out = append(out, v)
	}
	return out, rows.Err()
}
