-- PostgreSQL twin of controller/store/sqlite/migrations/0003_incidents.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- incidents are grouped problems (controller/incident): lines that failed
-- together below one upstream element, or one flapping line. One row per
-- incident, rewritten as it changes (upsert by id), so a replay or a restart
-- in the middle of an incident updates the same row.
--
-- Times are event time, Unix milliseconds UTC, like line_events. The lines,
-- customers and timeline are JSON arrays: they are read and written whole
-- with their incident, and an incident of 300 lines is a few tens of KB.
-- incident_lines repeats the members as rows so "incidents of this line" and
-- "of this customer" are index lookups.
CREATE TABLE incidents (
    id           BIGINT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('outage', 'flapping')),
    root_element TEXT NOT NULL DEFAULT '',   -- lowest shared upstream element; '' when unknown
    started_at   BIGINT NOT NULL,
    ended_at     BIGINT,                    -- NULL while open
    lines        TEXT NOT NULL,              -- JSON: [{line, customer, tier, down, up}]
    customers    TEXT NOT NULL,              -- JSON: [{id, tier, lines}]
    timeline     TEXT NOT NULL,              -- JSON: [{time, line, what, note}]
    root_path    TEXT NOT NULL DEFAULT '[]', -- JSON: root element and its ancestors, root first
    updated_at   BIGINT NOT NULL,           -- controller clock, Unix ms
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX incidents_open ON incidents (started_at) WHERE ended_at IS NULL;
CREATE INDEX incidents_started ON incidents (started_at);

CREATE TABLE incident_lines (
    incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    circuit_id  TEXT NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, circuit_id)
);
CREATE INDEX incident_lines_circuit ON incident_lines (circuit_id);
CREATE INDEX incident_lines_customer ON incident_lines (customer_id) WHERE customer_id <> '';

-- detector_snapshots keeps the line-state detector's last snapshot
-- (linestate.Detector.Snapshot, gob with a version byte) so a restarted
-- controller resumes where it stopped instead of forgetting open outages
-- and dampening penalties. One row per detector name.
CREATE TABLE detector_snapshots (
    name     TEXT PRIMARY KEY,
    taken_at BIGINT NOT NULL,   -- controller clock, Unix ms
    data     BYTEA NOT NULL
);
