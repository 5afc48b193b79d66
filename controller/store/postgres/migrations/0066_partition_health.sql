-- PostgreSQL twin of controller/store/sqlite/migrations/0066_partition_health.sql: same tables,
-- BIGINT for SQLite INTEGER.
-- Cluster mode's line health (controller/partition, controller/linehealth):
-- one line-health Monitor per partition on the shared database.
--
-- linestate_journal.part is the partition whose Monitor wrote the row ('' for
-- a single controller's Monitor): each partition replays only its own rows
-- after its own snapshot (detector_snapshots row 'linestate.p<n>').
ALTER TABLE linestate_journal ADD COLUMN part TEXT NOT NULL DEFAULT '';
CREATE INDEX linestate_journal_part ON linestate_journal (part, seq);

-- partition_epochs fences a partition's Monitor: a new owner bumps epoch
-- before it restores, and every commit and snapshot of a Monitor updates its
-- row only WHERE epoch is still its own; no row updated means a newer owner
-- took the partition, and the transaction is rolled back.
CREATE TABLE partition_epochs (
    part         TEXT PRIMARY KEY,
    epoch        BIGINT NOT NULL,
    owner        TEXT NOT NULL,
    taken_at     BIGINT NOT NULL,  -- Unix ms UTC
    committed_at BIGINT NOT NULL   -- Unix ms UTC of the owner's last commit
);
