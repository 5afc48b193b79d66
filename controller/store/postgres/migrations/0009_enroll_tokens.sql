-- PostgreSQL twin of controller/store/sqlite/migrations/0009_enroll_tokens.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- enroll_tokens holds single-use enrolment tokens (controller/enroll):
-- `vantage-controller agent enroll-token create` makes one for an agent id
-- and the NATS URLs that agent will dial; a technician runs `vantage-agent
-- enroll` on the box with it, and the controller's HTTPS enrolment endpoint
-- issues the agent's NATS credential (agents_credentials) in exchange, once.
-- Only the SHA-256 of the token is kept (32 random bytes: nothing to
-- brute-force). used_at is set in the same statement that checks it, so two
-- concurrent redemptions cannot both succeed. Times are Unix ms UTC.
CREATE TABLE enroll_tokens (
    token_hash BYTEA PRIMARY KEY CHECK (length(token_hash) = 32),
    agent_id   TEXT NOT NULL,
    nats_urls  TEXT NOT NULL,      -- comma-separated, as the agent dials them
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,            -- NULL until redeemed
    CHECK (expires_at > created_at)
);
