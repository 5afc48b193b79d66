package complaints

import (
	"context"
	"time"
)

// lineCache holds, for a bulk import, what line health committed about
// each line the import's complaints were judged on, over a span of time
// wider than the complaints' windows: an export names each line many
// times, and reading its events once per complaint was a tenth of the
// import's time. Like the inventory (inventory.go) it is read as the
// import goes; evidence committed while the import runs is seen by the
// next re-evaluation.
type lineCache struct {
	lines map[string]*cachedLine
	n     int // rows held, bounded by maxCachedRows
}

type cachedLine struct {
	from, to int64 // what rows holds: every row overlapping [from, to] (Unix ms)
	rows     []lineRow
}

// lineCachePad widens what is read around a complaint's window, so the
// line's other complaints (days or weeks apart in an export) are answered
// from the same read.
const lineCachePad = 30 * 24 * time.Hour

// maxCachedRows bounds the cache (a few hundred bytes a row): past it the
// cache starts over.
const maxCachedRows = 1 << 20

func newLineCache() *lineCache { return &lineCache{lines: map[string]*cachedLine{}} }

// rows returns line's rows overlapping [from, to], as lineRows would.
func (c *lineCache) rows(ctx context.Context, q querier, line string, from, to int64) ([]lineRow, error) {
	cl := c.lines[line]
	if cl == nil || from < cl.from || to > cl.to {
		lo, hi := from-lineCachePad.Milliseconds(), to+lineCachePad.Milliseconds()
		if cl != nil {
			lo, hi = min(lo, cl.from), max(hi, cl.to)
			c.n -= len(cl.rows)
		}
		rows, err := lineRows(ctx, q, line, lo, hi)
		if err != nil {
			return nil, err
		}
		if c.n+len(rows) > maxCachedRows {
			c.lines, c.n = map[string]*cachedLine{}, 0
		}
		cl = &cachedLine{from: lo, to: hi, rows: rows}
		c.lines[line] = cl
		c.n += len(rows)
	}
	out := make([]lineRow, 0, len(cl.rows))
	for i := range cl.rows {
		if cl.rows[i].overlaps(from, to) {
			out = append(out, cl.rows[i])
		}
	}
	return out, nil
}
