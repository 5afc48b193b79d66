-- notify_acks records who acknowledged an incident's dispatch, how (api or
-- a signed link in the dispatch message) and when (controller/notify
-- dispatch.go). link_sig is the signature of the link used: UNIQUE, so a
-- link acknowledges once; NULL for acknowledgements through the API.
-- Acknowledging cancels the escalations still waiting (outbox rows of
-- kinds dispatch_second and dispatch_lead) in the same transaction.
CREATE TABLE notify_acks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL,
    by          TEXT NOT NULL,
    via         TEXT NOT NULL CHECK (via IN ('api', 'link')),
    at          INTEGER NOT NULL,  -- Unix ms
    link_sig    TEXT UNIQUE
) STRICT;
CREATE INDEX notify_acks_incident ON notify_acks (incident_id);
