-- PostgreSQL twin of controller/store/sqlite/migrations/0050_complaint_points.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- complaint_points is the `complaint` InfluxDB point last queued for each
-- complaint (controller/complaints points.go): its time (received_at plus a
-- sub-millisecond offset from the id, Unix ns) and tags. When an
-- evaluation changes a tag (the verdict after late evidence, a new link),
-- the old series gets n=0 at the same time, overwriting its n=1, and the
-- new one n=1: sum(n) over a period counts every complaint once. Written
-- in the evaluation's transaction together with the point_queue rows.
CREATE TABLE complaint_points (
    complaint_id TEXT PRIMARY KEY,
    at_ns        BIGINT NOT NULL,
    customer     TEXT NOT NULL,
    grid         TEXT NOT NULL,
    category     TEXT NOT NULL,
    verdict      TEXT NOT NULL
);
