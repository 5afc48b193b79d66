-- The proactive ratio's refresh (controller/notify proactive_read.go) reads
-- only the incidents of its period, whatever the history kept (90 days):
-- the facts by updated_at, the incidents merged into those by merged_into,
-- and their messages through notify_outbox_incident. Before, every minute
-- it parsed every incident's facts to find the merged ones and grouped
-- every sent message.
CREATE INDEX notify_incidents_updated ON notify_incidents (updated_at);
CREATE INDEX notify_incidents_merged ON notify_incidents (CAST(json_extract(facts, '$.merged_into') AS BIGINT))
    WHERE json_extract(facts, '$.merged_into') IS NOT NULL;
