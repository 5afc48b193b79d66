-- coverage_cells is each grid cell's latest coverage evaluation
-- (controller/coverage): its score 0..100, whether it is weak, since when
-- it has been below the weak score (NULL while not below), and its open
-- weak-coverage event. Rewritten at every evaluation in the transaction that
-- queues its coverage points.
CREATE TABLE coverage_cells (
    cell         TEXT PRIMARY KEY,
    score        REAL,                     -- NULL: too few samples in the window
    weak         INTEGER NOT NULL DEFAULT 0,
    below_since  INTEGER,                  -- Unix ms
    open_event   INTEGER,                  -- coverage_events.id while weak
    detail       TEXT NOT NULL DEFAULT '{}', -- JSON: medians and sample counts per quantity, sites
    evaluated_at INTEGER NOT NULL
) STRICT;

-- coverage_events are weak-coverage events: a cell below the weak score for
-- at least coverage.weak_after. started_at is when it went below; ended_at
-- is NULL while it lasts.
CREATE TABLE coverage_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    cell        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    min_score   REAL NOT NULL,
    reason      TEXT NOT NULL            -- which quantities were below their weak threshold
) STRICT;
CREATE INDEX coverage_events_cell ON coverage_events (cell, started_at);
