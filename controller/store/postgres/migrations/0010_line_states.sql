-- PostgreSQL twin of controller/store/sqlite/migrations/0010_line_states.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- line_states is every watched line's current state as detection last
-- committed it, written in the same transaction as the events, incidents
-- and journal rows of that commit (controller/linehealth, commit.go), so
-- the API's read model (linehealth.ReadModel) answers from the database
-- and never takes the detector's lock. A row is rewritten whenever the
-- line's state changes or it has an event; the penalty is stored with the
-- time it is valid at and what it decays by, so a reader computes its
-- value now. A line of the inventory without a row has not been heard
-- since the controller first started with this table: unknown.
CREATE TABLE line_states (
    circuit_id   TEXT PRIMARY KEY,
    state        TEXT NOT NULL,      -- unknown, up, down, flapping
    since        BIGINT,            -- event time the state began, Unix ms
    penalty      DOUBLE PRECISION NOT NULL DEFAULT 0,
    penalty_at   BIGINT,            -- event time penalty is valid at, Unix ms
    half_life_ms BIGINT NOT NULL DEFAULT 0,
    reuse        DOUBLE PRECISION NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL    -- controller clock, Unix ms
);
