-- PostgreSQL twin of controller/store/sqlite/migrations/0020_complaints.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- complaints are call-centre tickets (controller/complaints): who, where,
-- when, what, as taken in by POST /api/v1/complaints or
-- `vantage-controller complaints import`, and what Vantage linked them to.
-- Keyed by the call centre's own ticket id, so a re-import or a later row
-- with the same id updates the row (intake_hash tells an update from an
-- unchanged row).
--
-- Times are Unix milliseconds UTC. The linking columns (linked_*, site_id,
-- grid_cell, lines, verdict, evidence, recovered_at, repeat) are rewritten
-- whenever the complaint is evaluated again: late evidence may change them.
-- customer and line references have no foreign key on purpose: a complaint
-- may name a customer the inventory does not know (yet), and is history.
CREATE TABLE complaints (
    id            TEXT PRIMARY KEY,
    received_at   BIGINT NOT NULL,
    closed_at     BIGINT,                       -- NULL while the ticket is open
    customer_id   TEXT NOT NULL DEFAULT '',      -- as given by the call centre
    phone         TEXT NOT NULL DEFAULT '',
    circuit_id    TEXT NOT NULL DEFAULT '',
    customer_name TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    lat           DOUBLE PRECISION CHECK (lat BETWEEN -90 AND 90),
    lon           DOUBLE PRECISION CHECK (lon BETWEEN -180 AND 180),
    category      TEXT NOT NULL CHECK (category IN ('line_interruption', 'slow', 'no_service', 'weak_signal', 'other')),
    text          TEXT NOT NULL DEFAULT '',
    intake_hash   TEXT NOT NULL,                 -- SHA-256 of the intake fields
    -- what linking found
    linked_customer TEXT NOT NULL DEFAULT '',    -- inventory customer id; '' when none
    linked_by     TEXT NOT NULL DEFAULT '',      -- customer_id, circuit_id, phone, coordinates or ''
    site_id       TEXT NOT NULL DEFAULT '',
    grid_cell     TEXT NOT NULL DEFAULT '',      -- geohash at complaints.grid_precision
    lines         TEXT NOT NULL DEFAULT '[]',    -- JSON array of circuit ids
    verdict       TEXT NOT NULL DEFAULT 'not_monitored'
                  CHECK (verdict IN ('confirmed', 'degraded', 'not_observed', 'not_monitored')),
    evidence      TEXT NOT NULL DEFAULT '[]',    -- JSON array of evidence items
    recovered_at  BIGINT,                       -- when the linked incidents / outages ended
    repeat        BIGINT NOT NULL DEFAULT 0,    -- 1: the Nth complaint in D days of a customer, line or cell
    evaluated_at  BIGINT,                       -- controller clock of the last evaluation
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    CHECK ((lat IS NULL) = (lon IS NULL)),
    CHECK (closed_at IS NULL OR closed_at >= received_at)
);
CREATE INDEX complaints_received ON complaints (received_at, id);
CREATE INDEX complaints_customer ON complaints (linked_customer, received_at);
CREATE INDEX complaints_cell ON complaints (grid_cell, received_at);
CREATE INDEX complaints_open ON complaints (received_at) WHERE closed_at IS NULL;

-- complaint_keys are the places a complaint counts against for repeats:
-- its customer, each of its lines and its grid cell. Rewritten with the
-- complaint's linking.
CREATE TABLE complaint_keys (
    complaint_id TEXT NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('customer', 'line', 'cell')),
    key          TEXT NOT NULL,
    received_at  BIGINT NOT NULL,               -- copy of the complaint's, for windows
    PRIMARY KEY (kind, key, received_at, complaint_id)
);
CREATE INDEX complaint_keys_complaint ON complaint_keys (complaint_id);
