-- PostgreSQL twin of controller/store/sqlite/migrations/0073_incidents_open_id.sql: the same index.
-- incidents_open_id serves GET /api/v1/incidents?state=open (controller/
-- linehealth views.go): the open incidents newest first by id. Without it
-- the list walked every incident backwards by id to find the few open ones
-- (73,000 rows for 50 open at 50,000 lines and a month of outages).
CREATE INDEX incidents_open_id ON incidents (id) WHERE ended_at IS NULL;
