-- notify_outbox is the durable outbox of controller/notify: one row per
-- message to one recipient over one channel. Rows are written by the rule
-- engine in the SAME transaction as the incident change that caused them
-- (controller/linehealth commit.go calls notify's hook with its tx), so an
-- incident change is never stored without its notifications, nor the
-- reverse. key is the idempotency key (incident, customer, recipient,
-- kind): a replayed change inserts nothing new (ON CONFLICT DO NOTHING).
-- The sender (controller/notify sender.go) claims due rows (status
-- 'sending'), delivers, and records the outcome; a row left 'sending' by a
-- crash goes back to 'pending' at start and is sent again with the same
-- Message-ID (README: where a duplicate is still possible).
CREATE TABLE notify_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    key             TEXT NOT NULL UNIQUE,
    incident_id     INTEGER NOT NULL,
    customer_id     TEXT NOT NULL DEFAULT '',   -- '' for a message about the whole incident (ops)
    tier            TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,              -- outage_start, outage_end, flapping_start, flapping_end
    urgent          INTEGER NOT NULL DEFAULT 0, -- urgent kinds ignore quiet hours
    channel         TEXT NOT NULL,              -- email, sms, webhook
    recipient       TEXT NOT NULL,              -- address, phone, or webhook name
    recipient_name  TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL DEFAULT '',   -- contact role, account_manager, ops
    language        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    due_at          INTEGER NOT NULL,           -- Unix ms: not sent before (rule delay, quiet hours)
    next_attempt_at INTEGER NOT NULL,           -- Unix ms: retry backoff and rate limits
    attempts        INTEGER NOT NULL DEFAULT 0,
    incident_start  INTEGER NOT NULL,           -- Unix ms, event time: latency is measured from it
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    message_id      TEXT NOT NULL,              -- stable per key (email Message-ID)
    subject         TEXT NOT NULL DEFAULT '',   -- rendered at the first attempt, reused by retries
    body            TEXT NOT NULL DEFAULT '',   -- plain text (email, SMS, webhooks)
    html            TEXT NOT NULL DEFAULT '',   -- email HTML part
    last_error      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX notify_outbox_due ON notify_outbox (status, next_attempt_at);
CREATE INDEX notify_outbox_incident ON notify_outbox (incident_id, customer_id);

-- notify_attempts records every delivery attempt of an outbox row.
CREATE TABLE notify_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id   INTEGER NOT NULL REFERENCES notify_outbox (id),
    at          INTEGER NOT NULL,  -- Unix ms
    outcome     TEXT NOT NULL,     -- sent, retry, failed
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX notify_attempts_outbox ON notify_attempts (outbox_id);

-- notify_incidents holds the facts of each incident messages are rendered
-- from (lines, customers, times, cause), written by the same hook in the
-- same transaction, so the sender never reads line health's own tables.
CREATE TABLE notify_incidents (
    incident_id INTEGER PRIMARY KEY,
    facts       TEXT NOT NULL,     -- JSON, controller/notify facts.go
    updated_at  INTEGER NOT NULL
) STRICT;
