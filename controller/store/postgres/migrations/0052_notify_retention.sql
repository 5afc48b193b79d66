-- PostgreSQL twin of controller/store/sqlite/migrations/0052_notify_retention.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- Retention of controller/notify's tables (retention.go): finished outbox
-- rows (sent, failed, cancelled) created longer than notify.retention ago
-- go with their attempts; facts go once no outbox row refers to them.
-- Pending and sending rows, and rows of incidents still open, are never
-- deleted. These indexes keep the hourly pass off full scans.
CREATE INDEX notify_outbox_created ON notify_outbox (created_at);
CREATE INDEX notify_outbox_event ON notify_outbox (event_ref) WHERE event_ref <> '';
