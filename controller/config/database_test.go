package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// database.url selects PostgreSQL; the SQLite path default then does not
// apply, and logs name the server without the password.
func TestDatabaseURL(t *testing.T) {
	c, err := Parse("controller.yaml", []byte(`influx: {url: http://127.0.0.1:8086, bucket: vantage}
database: {url: "postgres://vantage:s3cret@db.example.net:5432/vantage?sslmode=verify-full"}
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.Path != "" || c.Database.Target() != "postgres://vantage:s3cret@db.example.net:5432/vantage?sslmode=verify-full" {
		t.Fatalf("database %+v, target %q", c.Database, c.Database.Target())
	}
	if d := c.Database.Describe(); strings.Contains(d, "s3cret") || !strings.Contains(d, "db.example.net:5432/vantage") {
		t.Fatalf("Describe() = %q", d)
	}
	c, err = Parse("controller.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\ndata_dir: /var/lib/v\n"))
	if err != nil || c.Database.Target() != filepath.Join("/var/lib/v", "vantage.db") {
		t.Fatalf("default target %q, %v", c.Database.Target(), err)
	}
}

// A bad database.url is refused with file:line and the field, never
// quoting the password.
func TestDatabaseURLInvalid(t *testing.T) {
	for _, c := range []struct{ db, want string }{
		{`{url: "mysql://u:s3cret@h/v"}`, `controller.yaml:2: database.url: "mysql://h/v" is not a postgres:// URL`},
		{`{url: "postgres://u:s3cret@/v"}`, `controller.yaml:2: database.url: "postgres:///v" names no server`},
		{`{url: "postgres://u:s3cret@h:5432"}`, `controller.yaml:2: database.url: "postgres://h:5432" names no database`},
		{`{url: "postgres://u@h/v?password=s3cret", path: /x.db}`, `controller.yaml:2: database.url: give path (SQLite, one controller) or url`},
	} {
		_, err := Parse("controller.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\ndatabase: "+c.db+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("database %s: %v\nwant %s", c.db, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("database %s: the error shows the password: %v", c.db, err)
		}
	}
}
