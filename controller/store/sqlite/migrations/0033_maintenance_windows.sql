-- maintenance_windows are planned cutovers (POST /api/v1/maintenance,
-- controller/notify maintenance.go). The affected lines and customers are
-- resolved from the inventory when the window is created (elements' lines
-- plus lines named) and kept, so the record says whom it concerned even if
-- the inventory changes later. Incidents starting inside a window on its
-- lines tell ops (marked planned) but not customers, unless still open at
-- the window's end (an overrun).
CREATE TABLE maintenance_windows (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    title              TEXT NOT NULL DEFAULT '',
    starts_at          INTEGER NOT NULL,  -- Unix ms
    ends_at            INTEGER NOT NULL,  -- Unix ms
    elements           TEXT NOT NULL,     -- JSON: element ids as given
    lines              TEXT NOT NULL,     -- JSON: circuit ids as given
    affected_lines     TEXT NOT NULL,     -- JSON: [{line, customer, tier}]
    created_at         INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX maintenance_windows_span ON maintenance_windows (starts_at, ends_at);

-- Outbox rows of a window's notice and reminder carry its id (incident_id
-- is 0 on them).
ALTER TABLE notify_outbox ADD COLUMN maintenance_id INTEGER NOT NULL DEFAULT 0;
