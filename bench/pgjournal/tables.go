package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sort"
)

// tableRows is each table's rows inserted, updated and deleted so far
// (pg_stat_user_tables), to say which writes the rows/s are.
func tableRows(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		m[name] = n
	}
	return m, rows.Err()
}

// printTables writes the tables written in the window, most rows first.
func printTables(w io.Writer, a, b map[string]int64, secs float64) {
	type t struct {
		name string
		n    int64
	}
	var ts []t
	for name, n := range b {
		if d := n - a[name]; d > 0 {
			ts = append(ts, t{name, d})
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].n > ts[j].n })
	fmt.Fprint(w, "rows/s by table:")
	for _, x := range ts {
		fmt.Fprintf(w, " %s %.1f", x.name, float64(x.n)/secs)
	}
	fmt.Fprintln(w)
}

// journalSize is the mean stored (compressed) and raw size of the journal
// rows still in the table, and how many evidences they carry.
func journalSize(ctx context.Context, db *sql.DB) (rows int64, stored, raw float64, err error) {
	err = db.QueryRowContext(ctx, `SELECT count(*), coalesce(avg(pg_column_size(evidence)), 0)::float8,
		coalesce(avg(octet_length(evidence)), 0)::float8 FROM linestate_journal`).Scan(&rows, &stored, &raw)
	return rows, stored, raw, err
}
