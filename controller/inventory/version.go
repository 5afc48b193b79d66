package inventory

import (
	"context"
	"encoding/json"
	"fmt"
)

// The inventory version (migration 0068) tells readers that keep the
// inventory in memory (cluster mode's partition map and its partitions'
// line health) whether anything changed since they read it, for the price
// of one primary-key read. Every Import that creates or updates a row bumps
// it in its own transaction, so a reader that sees version v also sees
// every row written by the imports up to v. Rows changed behind the
// store's back (hand-written SQL) do not bump it: run an import, or
// restart the controllers, after such an edit.
const bumpVersion = `UPDATE inventory_version SET version = version + 1, changed_at = ? WHERE id = 1`

// Version is the inventory's change counter: it grows by one with every
// import that changed a row.
func (s *SQLStore) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.QueryRowContext(ctx, `SELECT version FROM inventory_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("inventory version: %w", err)
	}
	return v, nil
}

// LinesByID reads the lines of ids (any number, in one query), in no
// particular order; ids the inventory does not know are left out. A
// partition's line health reads its own lines with it instead of the
// whole inventory.
func (s *SQLStore) LinesByID(ctx context.Context, ids []string) ([]Line, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(ids) // json_each takes any number of ids in one parameter
	if err != nil {
		return nil, err
	}
	return list(ctx, s.db, scanLine, `SELECT `+lineCols+` FROM lines WHERE circuit_id IN (SELECT value FROM json_each(?))`, string(b))
}
