-- PostgreSQL twin of controller/store/sqlite/migrations/0040_notify_attachments.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- notify_attachments are files an email of the outbox carries (issue 14:
-- account managers' scheduled reports). Written in the same transaction
-- as their outbox row (controller/notify attach.go, EnqueueMail) and read
-- by the sender at each attempt, so a retry sends the same files.
CREATE TABLE notify_attachments (
    outbox_id    BIGINT NOT NULL REFERENCES notify_outbox (id) ON DELETE CASCADE,
    seq          BIGINT NOT NULL,            -- order in the message
    name         TEXT NOT NULL,               -- file name as the recipient sees it
    content_type TEXT NOT NULL,
    data         BYTEA NOT NULL,
    PRIMARY KEY (outbox_id, seq)
);
