// Package sqlite opens the controller's embedded database: one SQLite file
// (pure Go, modernc.org/sqlite, no cgo) holding the inventory and the line
// events that reports are built from.
//
// Open sets the connection pragmas every connection needs and brings the
// schema up to date from the numbered files in migrations/. The SQL that reads
// and writes each kind of row lives with its role (controller/inventory for
// the inventory), behind that role's own storage interface, so a PostgreSQL
// backend can follow without touching this package.
package sqlite
