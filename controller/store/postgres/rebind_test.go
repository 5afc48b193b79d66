package postgres

import "testing"

func TestRebind(t *testing.T) {
	cases := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT * FROM t WHERE a = ? AND b = ?`, `SELECT * FROM t WHERE a = $1 AND b = $2`},
		{`SELECT substr(c, 1, ?1) FROM t WHERE d >= ?2 AND e < ?2`, `SELECT substr(c, 1, $1) FROM t WHERE d >= $2 AND e < $2`},
		{`SELECT ?2, ?`, `SELECT $2, $3`},
		{`SELECT '?', 'it''s ?', ? FROM t`, `SELECT '?', 'it''s ?', $1 FROM t`},
		{`SELECT "odd?col" FROM t WHERE x = ?`, `SELECT "odd?col" FROM t WHERE x = $1`},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{`SELECT /* a ? b */ ?`, `SELECT /* a ? b */ $1`},
		{`SELECT $$ ? $$, ?`, `SELECT $$ ? $$, $1`},
		{`SELECT $fn$ ? $fn$, ?`, `SELECT $fn$ ? $fn$, $1`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
		{`SELECT ? -- trailing ?`, `SELECT $1 -- trailing ?`},
		{`INSERT INTO t VALUES (?, ?, ?) ON CONFLICT (a) DO UPDATE SET b = excluded.b`, `INSERT INTO t VALUES ($1, $2, $3) ON CONFLICT (a) DO UPDATE SET b = excluded.b`},
	}
	for _, c := range cases {
		if got := Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
