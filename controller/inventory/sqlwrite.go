package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"
)

// writer carries one import's transaction and its progress reporting.
type writer struct {
	ctx         context.Context
	tx          *sql.Tx
	opts        ImportOptions
	file        string
	done, total int
	reported    int // done at the last report, so the final one is not repeated
	now         func() time.Time
	last        time.Time
}

// writeKind writes the rows that differ from what is stored and counts
// created, updated and unchanged ones. Unchanged rows are not written at all:
// a re-import of the same file is a read-only transaction in effect. The
// stored rows are asked for a chunk at a time (old), so a kind of half a
// million rows is never held twice over.
func writeKind[T any](w *writer, rows []T, old func(ids []string) (map[string]T, error), id func(T) string, same func(T, T) bool,
	upsert string, args func(T) []any) (Tally, error) {
	var t Tally
	stmt, err := w.tx.PrepareContext(w.ctx, upsert)
	if err != nil {
		return t, err
	}
	defer stmt.Close()
	const chunk = 1000
	ids := make([]string, 0, chunk)
	for lo := 0; lo < len(rows); lo += chunk {
		part := rows[lo:min(lo+chunk, len(rows))]
		ids = ids[:0]
		for _, r := range part {
			ids = append(ids, id(r))
		}
		prevs, err := old(ids)
		if err != nil {
			return t, err
		}
		for _, r := range part {
			prev, exists := prevs[id(r)]
			switch {
			case exists && same(prev, r):
				t.Unchanged++
			default:
				if _, err := stmt.ExecContext(w.ctx, args(r)...); err != nil {
					return t, err
				}
				if exists {
					t.Updated++
				} else {
					t.Created++
				}
			}
			w.step()
		}
	}
	return t, nil
}

// loaded answers writeKind's questions from rows already read whole.
func loaded[T any](m map[string]T) func([]string) (map[string]T, error) {
	return func([]string) (map[string]T, error) { return m, nil }
}

// storedLines reads the stored lines of one chunk of ids: lines are the
// kind that runs to hundreds of thousands, so they are not loaded whole.
func storedLines(ctx context.Context, tx *sql.Tx) func([]string) (map[string]Line, error) {
	return func(ids []string) (map[string]Line, error) {
		b, err := json.Marshal(ids)
		if err != nil {
			return nil, err
		}
		rows, err := list(ctx, tx, scanLine, `SELECT `+lineCols+` FROM lines WHERE circuit_id IN (SELECT value FROM json_each(?))`, string(b))
		return byID(rows, func(x Line) string { return x.CircuitID }), err
	}
}

// step counts one row and reports progress when a step or interval is due.
func (w *writer) step() {
	w.done++
	if w.opts.Progress == nil {
		return
	}
	every, interval := w.opts.ProgressEvery, w.opts.ProgressInterval
	if every <= 0 {
		every = 5000
	}
	if interval <= 0 {
		interval = 2 * time.Second
	}
	if w.done%every == 0 || w.now().Sub(w.last) >= interval {
		w.report()
	}
}

func (w *writer) report() {
	if w.opts.Progress != nil && (w.done == 0 || w.done != w.reported) {
		w.last, w.reported = w.now(), w.done
		w.opts.Progress(Progress{File: w.file, Done: w.done, Total: w.total})
	}
}
