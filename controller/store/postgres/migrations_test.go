package postgres

import (
	"testing"

	"github.com/vantage-net/vantage/controller/store/sqlite"
)

// Every SQLite step has a PostgreSQL twin of the same number and name, and
// the reverse: a migration added to one backend only fails here.
func TestMigrationNumbersMatchSQLite(t *testing.T) {
	lite, err := sqlite.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	pg, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	names := func(ms []sqlite.Migration) map[int]string {
		m := map[int]string{}
		for _, s := range ms {
			m[s.Version] = s.Name
		}
		return m
	}
	l, p := names(lite), names(pg)
	for v, n := range l {
		if p[v] != n {
			t.Errorf("SQLite step %s has no PostgreSQL twin in controller/store/postgres/migrations (found %q)", n, p[v])
		}
	}
	for v, n := range p {
		if _, ok := l[v]; !ok {
			t.Errorf("PostgreSQL step %s has no SQLite twin", n)
		}
	}
}
