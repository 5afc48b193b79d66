package config

import (
	"net/url"
	"path/filepath"
	"strings"

	"github.com/vantage-net/vantage/controller/store/postgres"
)

// Database is where the controller keeps inventory, line events,
// incidents, complaints, the notification outbox and the detector's
// snapshots: the embedded SQLite file for one controller, or a PostgreSQL
// database several controllers share (README: "Running at provincial
// scale").
type Database struct {
	// Path of the SQLite file (default DataDir/vantage.db). The `inventory
	// import` command writes the same file.
	Path string `yaml:"path"`
	// URL of a PostgreSQL database instead of the file, e.g.
	// postgres://vantage:PASSWORD@db.example.net:5432/vantage. The
	// password is never logged; keep the config file readable by the
	// controller only. Query parameters are libpq's (sslmode=verify-full).
	URL string `yaml:"url"`
}

// Target is what controller/store/sqldb opens: the URL when set, else the
// file's path.
func (d Database) Target() string {
	if d.URL != "" {
		return d.URL
	}
	return d.Path
}

// Describe names the database for logs, without a password.
func (d Database) Describe() string {
	if d.URL != "" {
		return postgres.Redact(d.URL)
	}
	return d.Path
}

func (c *Config) setDatabaseDefaults() {
	if c.Database.Path == "" && c.Database.URL == "" {
		c.Database.Path = filepath.Join(c.DataDir, "vantage.db")
	}
}

func (c *Config) validateDatabase(bad func(field, format string, args ...any)) {
	d := c.Database
	if d.URL == "" {
		return
	}
	if d.Path != "" {
		bad("database.url", "give path (SQLite, one controller) or url (PostgreSQL, several controllers), not both")
	}
	shown := postgres.Redact(d.URL)
	u, err := url.Parse(d.URL)
	switch {
	case err != nil || !postgres.IsURL(d.URL):
		bad("database.url", "%q is not a postgres:// URL (postgres://user:password@host:5432/database)", shown)
	case u.Host == "":
		bad("database.url", "%q names no server (postgres://user:password@host:5432/database)", shown)
	case strings.Trim(u.Path, "/") == "":
		bad("database.url", "%q names no database (…@host:5432/vantage)", shown)
	}
}
