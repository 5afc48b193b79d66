-- PostgreSQL twin of controller/store/sqlite/migrations/0017_line_watchers.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- Lines watched from both ends. A line's A-end site agent watches it from the
-- customer side (probe_address); z_end_site and watchers name where it is
-- watched from the other end: the Z-end site, and any sites or elements
-- (a PoP element naming its agent) whose agent pings the line's
-- watch_address (the customer end of the circuit) from the network side.
-- watchers is a JSON array of ids (sites first, then elements, as the import
-- resolves them), '[]' for none; the import checks every id exists.
ALTER TABLE lines ADD COLUMN z_end_site TEXT REFERENCES sites (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE lines ADD COLUMN watchers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE lines ADD COLUMN watch_address TEXT NOT NULL DEFAULT '';
CREATE INDEX lines_z_end_site ON lines (z_end_site) WHERE z_end_site IS NOT NULL;
