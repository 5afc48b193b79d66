package postgres

import "testing"

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://vantage:s3cret@db:5432/v":                 "postgres://db:5432/v",
		"postgres://db/v?sslmode=require&password=s3cret&x=1": "postgres://db/v?sslmode=require&password=xxxxx&x=1",
		"postgresql://db/v?password=s3cret":                   "postgresql://db/v?password=xxxxx",
		"/var/lib/vantage/vantage.db":                         "/var/lib/vantage/vantage.db",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
