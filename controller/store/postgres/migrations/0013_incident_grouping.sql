-- PostgreSQL twin of controller/store/sqlite/migrations/0013_incident_grouping.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- An incident rooted at a shared element says why (controller/incident,
-- group.go): grouping is the JSON of incident.Grouping (element, kind,
-- lines down within the spread, watched lines, measured and allowed
-- spread, share), NULL for a single line's own incident. merged_into names
-- the element incident a line's own incident became part of when its
-- siblings followed within the spread (the merged one is closed then).
-- The members' roles (cause or affected, with the state an affected line
-- was in) live in the lines JSON; no column needed.
ALTER TABLE incidents ADD COLUMN grouping TEXT;
ALTER TABLE incidents ADD COLUMN merged_into BIGINT;
