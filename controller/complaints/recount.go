package complaints

import (
	"context"
)

// recountAll sets every complaint's repeat flag as updateRepeats would,
// from one walk of complaint_keys in its primary key order (kind, key,
// received_at, complaint_id): no index seek per complaint. A bulk import
// that touched a large share of the keys spent a sixth of its time on
// updateRepeats' per-key queries; this reads each key row once and writes
// only the flags that changed.
func (s *Store) recountAll(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, `SELECT kind, key, received_at, complaint_id FROM complaint_keys
		ORDER BY kind, key, received_at, complaint_id`)
	if err != nil {
		return err
	}
	window := s.o.RepeatWindow.Milliseconds()
	repeat := map[string]bool{}
	var cur key
	var at []int64 // received times of cur's complaints so far
	lo := 0
	for rows.Next() {
		var k key
		var t int64
		var id string
		if err := rows.Scan(&k.kind, &k.key, &t, &id); err != nil {
			rows.Close()
			return err
		}
		if k != cur {
			cur, at, lo = k, at[:0], 0
		}
		at = append(at, t)
		for at[lo] <= t-window {
			lo++
		}
		if len(at)-lo >= s.o.RepeatCount {
			repeat[id] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Only the flags that differ are written.
	rows, err = q.QueryContext(ctx, `SELECT id, repeat FROM complaints`)
	if err != nil {
		return err
	}
	var set, clear []string
	for rows.Next() {
		var id string
		var r int
		if err := rows.Scan(&id, &r); err != nil {
			rows.Close()
			return err
		}
		switch {
		case repeat[id] && r == 0:
			set = append(set, id)
		case !repeat[id] && r == 1:
			clear = append(clear, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range []struct {
		ids []string
		v   int
	}{{set, 1}, {clear, 0}} {
		for _, id := range u.ids {
			if _, err := q.ExecContext(ctx, `UPDATE complaints SET repeat = ? WHERE id = ?`, u.v, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// recountAllPays reports whether recountAll is cheaper than recounting
// the touched keys one by one: when the import wrote at least a tenth of
// all complaints. A small import into a large history recounts its keys.
func recountAllPays(ctx context.Context, q querier, written int) (bool, error) {
	var n int64
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM complaints`).Scan(&n); err != nil {
		return false, err
	}
	return int64(written)*10 >= n, nil
}
