package linehealth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
}

// NewReadModel returns the read model.
func NewReadModel(o ReadOptions) (*ReadModel, error) {
	if o.DB == nil || o.Inventory == nil {
		return nil, errors.New("linehealth: read model: DB and Inventory are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &ReadModel{db: o.DB, inv: o.Inventory, horizon: o.Horizon, now: o.Now}, nil
}

// lineViews is every line the read model lists: the inventory's, with their
// customer and its tier, and lines with a committed state the inventory
// does not have. Joined with their committed state.
const lineViews = `WITH v (id, customer, tier, in_inv) AS (
		SELECT l.circuit_id, l.customer_id, coalesce(c.tier, ''), 1
			FROM lines l LEFT JOIN customers c ON c.id = l.customer_id
		UNION ALL
		SELECT s.circuit_id, '', '', 0 FROM line_states s
			WHERE NOT EXISTS (SELECT 1 FROM lines l WHERE l.circuit_id = s.circuit_id))
	SELECT v.id, v.customer, v.tier, v.in_inv, coalesce(s.state, 'unknown'), s.since,
		coalesce(s.penalty, 0), s.penalty_at, coalesce(s.half_life_ms, 0), coalesce(s.reuse, 0)
	FROM v LEFT JOIN line_states s ON s.circuit_id = v.id`

// views runs lineViews with the condition where and returns the rows.
func (rm *ReadModel) views(ctx context.Context, where string, args ...any) ([]LineView, error) {
	rows, err := rm.db.QueryContext(ctx, lineViews+` WHERE `+where, args...)
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
