-- line_events holds what the detector concluded about each line: outages,
-- flaps (outages shorter than the flap threshold) and degradations. Reports
-- and availability per line (24 h / 7 d / 30 d) are computed from it; the
-- same events also go to InfluxDB's line_event measurement for dashboards.
--
-- Times are event time (the agents' clocks), Unix milliseconds UTC: a CPE
-- agent's spooled results place an outage where it happened, minutes before
-- the controller heard of it. recorded_at is the controller's clock when the
-- row was written, so "seen late" is measurable.
--
-- (circuit_id, kind, started_at) is unique: ingest is at-least-once, and a
-- replayed result must update the same event, never count it twice. Write with
-- INSERT ... ON CONFLICT (circuit_id, kind, started_at) DO UPDATE.
--
-- circuit_id has no foreign key on purpose: events are history, and a line
-- removed from or renamed in the inventory keeps its past outages.
CREATE TABLE line_events (
    id          INTEGER PRIMARY KEY,
    circuit_id  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('outage', 'flap', 'degraded')),
    started_at  INTEGER NOT NULL,          -- first failed (or degraded) evidence
    ended_at    INTEGER,                   -- first recovered evidence; NULL while open
    duration_s  REAL CHECK (duration_s >= 0),
    loss_pct    REAL CHECK (loss_pct BETWEEN 0 AND 100),  -- mean loss over the event (degradations; 100 for outages)
    rtt_ms      REAL,                      -- degradations: mean RTT over the window
    jitter_ms   REAL,                      -- degradations: mean jitter over the window
    recorded_at INTEGER NOT NULL,          -- controller clock, Unix ms
    CHECK (ended_at IS NULL OR ended_at >= started_at),
    UNIQUE (circuit_id, kind, started_at)
) STRICT;
CREATE INDEX line_events_started ON line_events (started_at);
CREATE INDEX line_events_open ON line_events (circuit_id) WHERE ended_at IS NULL;

-- One view per event kind, for reports that ask about one kind only.
CREATE VIEW outages AS
    SELECT id, circuit_id, started_at, ended_at, duration_s, loss_pct, recorded_at
    FROM line_events WHERE kind = 'outage';
CREATE VIEW flaps AS
    SELECT id, circuit_id, started_at, ended_at, duration_s, loss_pct, recorded_at
    FROM line_events WHERE kind = 'flap';
CREATE VIEW degradations AS
    SELECT id, circuit_id, started_at, ended_at, duration_s, loss_pct, rtt_ms, jitter_ms, recorded_at
    FROM line_events WHERE kind = 'degraded';
