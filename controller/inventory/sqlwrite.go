package inventory

import (
	"context"
	"database/sql"
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
// a re-import of the same file is a read-only transaction in effect.
func writeKind[T any](w *writer, rows []T, old map[string]T, id func(T) string, same func(T, T) bool,
	upsert string, args func(T) []any) (Tally, error) {
	var t Tally
	stmt, err := w.tx.PrepareContext(w.ctx, upsert)
	if err != nil {
		return t, err
	}
	defer stmt.Close()
	for _, r := range rows {
		prev, exists := old[id(r)]
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
	return t, nil
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
