-- PostgreSQL twin of controller/store/sqlite/migrations/0031_contact_quiet_hours.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- quiet_hours is when a contact is not sent non-urgent notifications
-- (controller/notify): "HH:MM-HH:MM" in the controller's notify.timezone,
-- may wrap midnight ("22:00-07:00"); '' means none.
ALTER TABLE contacts ADD COLUMN quiet_hours TEXT NOT NULL DEFAULT '';
