-- PostgreSQL twin of controller/store/sqlite/migrations/0065_ui_sessions.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- ui_sessions are the web UI's logged-in browsers (controller/webui), kept
-- here so a controller restart does not log everyone out. Only the SHA-256
-- of a session id is stored (the id is 32 random bytes in an HttpOnly
-- cookie), and the token the user logged in with is referred to by its
-- stored hash, never kept: revoking the token (`token revoke`, which deletes
-- its api_tokens row) deletes its sessions with it.
CREATE TABLE ui_sessions (
    id_hash     BYTEA PRIMARY KEY CHECK (length(id_hash) = 32),
    token_hash  BYTEA NOT NULL REFERENCES api_tokens (hash) ON DELETE CASCADE,
    -- operator is 1 for admin and ops tokens (forms shown; the API decides
    -- again on every call).
    operator    BIGINT NOT NULL CHECK (operator IN (0, 1)),
    created_at  BIGINT NOT NULL,  -- Unix ms UTC
    expires_at  BIGINT NOT NULL   -- Unix ms UTC; slides on use
);
CREATE INDEX ui_sessions_expiry ON ui_sessions (expires_at);
CREATE INDEX ui_sessions_token ON ui_sessions (token_hash);
