-- PostgreSQL twin of controller/store/sqlite/migrations/0006_probe_assignments.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- Which agent watches which line: a site names the agent that runs there
-- (sites.agent) and a line names the address that agent pings to watch it
-- (lines.probe_address). The controller derives each agent's remote probe
-- set from them (controller/agentconfig).
ALTER TABLE sites ADD COLUMN agent TEXT NOT NULL DEFAULT '';
ALTER TABLE lines ADD COLUMN probe_address TEXT NOT NULL DEFAULT '';
CREATE INDEX sites_agent ON sites (agent) WHERE agent <> '';
