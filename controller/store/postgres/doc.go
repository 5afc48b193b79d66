// Package postgres opens the controller's database on a PostgreSQL server,
// for several controllers sharing one state (issue 16). It is the twin of
// controller/store/sqlite: the same tables from migrations with the same
// numbers (migrations/, BIGINT for Unix times, BYTEA for blobs, identity
// columns for SQLite's INTEGER PRIMARY KEY), and a database/sql driver
// ("vantage-postgres", pgx underneath) that lets every package keep one SQL
// text for both backends:
//
//   - placeholders are SQLite's ? and ?N, rebound to $N outside quotes and
//     comments (Rebind);
//   - bool arguments are sent as 0/1, as SQLite stores them, because the
//     schema keeps INTEGER flags in both;
//   - the few SQLite JSON helpers the packages use (json_each over an array,
//     json_extract with a $.key path) exist as SQL functions created at
//     open (compat.sql), so "IN (SELECT value FROM json_each(?))" takes any
//     number of ids in one parameter on both backends.
//
// What SQLite got from its single writer (claims, read-then-write), the
// packages get here from row locks: see controller/notify's claim.
package postgres
