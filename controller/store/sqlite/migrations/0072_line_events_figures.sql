-- line_events_figures serves the API's per-line figures (controller/
-- linehealth addFigures: flaps and outages in the last 24 h, availability
-- over 24 h, 7 d and 30 d, for a page of up to 1,000 lines in one query):
-- per line and kind, the events that ended after the 30-day window began
-- are one range of it, and every column the figures read is in it, so a
-- page reads index entries only, and never the events of a line's older
-- history (line_events is never pruned: a year of it would otherwise be
-- walked for every page). Open events (ended_at NULL) are the range
-- ended_at IS NULL of the same index.
CREATE INDEX line_events_figures ON line_events (circuit_id, kind, ended_at, started_at, retracted_at);
