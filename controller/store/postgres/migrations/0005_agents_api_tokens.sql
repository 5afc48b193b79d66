-- PostgreSQL twin of controller/store/sqlite/migrations/0005_agents_api_tokens.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- agents is the agent registry's last known state of each agent
-- (controller/registry), so a restarted controller still lists every agent
-- it has heard of. A restored agent is offline until its next heartbeat.
-- Rows are written in batches on the registry's tick, not per heartbeat:
-- 10,000 agents at one heartbeat each per 10 s would otherwise be 1,000
-- writes a second. Times are the controller's clock, Unix ms UTC.
CREATE TABLE agents (
    id              TEXT PRIMARY KEY,
    site            TEXT NOT NULL DEFAULT '',
    version         TEXT NOT NULL DEFAULT '',
    config_rev      BIGINT NOT NULL DEFAULT 0,
    spool_depth     BIGINT NOT NULL DEFAULT 0,
    results_sent    BIGINT NOT NULL DEFAULT 0,
    results_dropped BIGINT NOT NULL DEFAULT 0,
    interval_ms     BIGINT NOT NULL DEFAULT 0,  -- heartbeat interval the agent reported or we inferred
    clock_offset_ms BIGINT NOT NULL DEFAULT 0,  -- agent clock minus controller clock at the last heartbeat
    first_seen      BIGINT NOT NULL,
    last_seen       BIGINT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('online', 'offline')),
    state_since     BIGINT NOT NULL
);

-- api_tokens are the REST API's bearer tokens (controller/apiauth). Only the
-- SHA-256 of a token is kept: the token itself is shown once, by `token
-- create`. Tokens are 32 random bytes, so a fast unsalted hash is enough and
-- lets a request find its row by the hash alone.
CREATE TABLE api_tokens (
    name        TEXT PRIMARY KEY,
    hash        BYTEA NOT NULL UNIQUE CHECK (length(hash) = 32),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'ops', 'account_manager')),
    -- manager_id is the customers.account_manager value an account_manager
    -- token is scoped to; '' for the other roles.
    manager_id  TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,               -- Unix ms UTC
    CHECK ((role = 'account_manager') = (manager_id <> ''))
);
