-- PostgreSQL twin of controller/store/sqlite/migrations/0051_notify_events.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- Notifications of line-health degradations and weak coverage
-- (controller/notify events.go). The sender's loop reads new rows of
-- line_events (kind degraded) and coverage_events past its cursor and, in
-- ONE transaction, writes the messages they call for and advances the
-- cursor: a crash before the commit reads them again, and the outbox key
-- (event ref, customer, recipient, kind) makes a second read add nothing.
-- notify_cursors.pos is the last event id read per source; a source
-- without a row starts at the newest id (history is not announced).
CREATE TABLE notify_cursors (
    source TEXT PRIMARY KEY,      -- line_events, coverage_events
    pos    BIGINT NOT NULL
);

-- notify_event_facts are what an event's messages are rendered from
-- (controller/notify facts.go), like notify_incidents for incidents.
CREATE TABLE notify_event_facts (
    ref        TEXT PRIMARY KEY,  -- degraded/<line_events.id>, weak_coverage/<coverage_events.id>
    facts      TEXT NOT NULL,     -- JSON
    created_at BIGINT NOT NULL   -- Unix ms
);

-- Outbox rows about an event carry its ref (incident_id 0).
ALTER TABLE notify_outbox ADD COLUMN event_ref TEXT NOT NULL DEFAULT '';
