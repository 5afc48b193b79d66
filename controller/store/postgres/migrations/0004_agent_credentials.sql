-- PostgreSQL twin of controller/store/sqlite/migrations/0004_agent_credentials.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- agents_credentials holds each agent's NATS credential (controller/agentauth):
-- the NATS user is the agent id, and only the SHA-256 of its password is
-- kept. The password is shown once, in the agent config `vantage-controller
-- agent add` writes, so a copy of this database cannot impersonate an agent.
-- Passwords are 32 random bytes: a fast unsalted hash is enough (nothing to
-- brute-force), and it keeps a fleet reconnecting after a NATS restart cheap,
-- where bcrypt would cost ~50 ms of CPU per connect.
--
-- The embedded NATS server reads this table on every connect, and the
-- controller polls it to disconnect agents revoked by the CLI (another
-- process). A revoked row is kept (revoked_at set) as a record of who was cut
-- off and when; `agent add` on a revoked id issues a new password in its
-- place. Times are Unix ms UTC.
CREATE TABLE agents_credentials (
    agent_id    TEXT PRIMARY KEY,
    secret_hash BYTEA NOT NULL CHECK (length(secret_hash) = 32),
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT,           -- NULL while the credential is valid
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
