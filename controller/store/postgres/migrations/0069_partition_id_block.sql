-- PostgreSQL twin of controller/store/sqlite/migrations/0069_partition_id_block.sql:
-- same column, BIGINT for SQLite INTEGER.
-- A cluster partition keeps its block of incident IDs for life
-- (controller/linehealth store.go partitionIDBlock): id_block is the
-- incident_id_blocks value the partition took on its first start; every
-- later owner continues after the highest ID stored in that block instead of
-- taking a new block of 2^32 at each start. NULL: none taken yet.
ALTER TABLE partition_epochs ADD COLUMN id_block BIGINT;
