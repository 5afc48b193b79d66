-- PostgreSQL twin of controller/store/sqlite/migrations/0018_causes.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- What failed, for lines watched from both ends (controller/cause): the
-- line, the customer premises, the watcher's uplink, or unknown. Events
-- (outages and flaps) and incidents carry it with a note in operator terms;
-- '' on rows written before causes were decided and on degradations.
-- Written apart from the event and incident upserts (UPDATE by key), since
-- a cause is revised as late evidence arrives, like a provisional event.
ALTER TABLE line_events ADD COLUMN cause TEXT NOT NULL DEFAULT '';
ALTER TABLE line_events ADD COLUMN cause_note TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN cause TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN cause_note TEXT NOT NULL DEFAULT '';
