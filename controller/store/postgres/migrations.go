package postgres

import (
	"embed"

	"github.com/vantage-net/vantage/controller/store/sqlite"
)

// migrationFiles are PostgreSQL's schema steps. Each has the number and
// name of its SQLite twin (TestMigrationNumbersMatchSQLite): a step added to
// one backend only would leave the other a schema behind.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations lists PostgreSQL's steps, in order.
func Migrations() ([]sqlite.Migration, error) {
	return sqlite.ReadMigrations(migrationFiles, "migrations")
}
