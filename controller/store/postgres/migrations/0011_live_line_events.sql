-- PostgreSQL twin of controller/store/sqlite/migrations/0011_live_line_events.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- Live line events (issue 11): the detector's provisional flaps and
-- outages are stored at once, before the lateness horizon makes them
-- final, so counts and availability do not trail it. A provisional event
-- becomes final in place (same id: counted once); late evidence may change
-- it first (kind, start, end) or retract it, and each such change is kept
-- in revisions, so the API shows what changed and why. A retracted event
-- stays as history and counts nowhere. controller/linehealth, live.go.
--
-- Rows written before this step are final (they were only ever written
-- when sealed): the defaults say so.
ALTER TABLE line_events ADD COLUMN final BIGINT NOT NULL DEFAULT 1;   -- 0 provisional, 1 final
ALTER TABLE line_events ADD COLUMN final_at BIGINT;                   -- controller clock it became final, Unix ms
ALTER TABLE line_events ADD COLUMN retracted_at BIGINT;               -- controller clock it was retracted; NULL: counted
ALTER TABLE line_events ADD COLUMN revisions TEXT NOT NULL DEFAULT '[]'; -- JSON list, oldest first (linehealth.Revision)
CREATE INDEX line_events_live ON line_events (circuit_id) WHERE final = 0;
