-- point_queue holds InfluxDB points the controller produced itself
-- (line_state, line_event, agent) until InfluxDB accepted them. Producers
-- insert in the same transaction as the facts the points describe, so a
-- point exists exactly when its fact was committed; one shipper
-- (controller/shipper) reads the oldest rows, writes them, and deletes them
-- only after InfluxDB answered. Rows are line protocol, encoded once when
-- queued. seq only grows and rows leave from the head (shipped, or the
-- oldest dropped when the queue is full), so max(seq) - min(seq) + 1 is the
-- depth without a count(*) scan.
CREATE TABLE point_queue (
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    point TEXT NOT NULL
) STRICT;

-- linestate_journal is the line-state detector's evidence accepted since
-- its last snapshot, each row written in the same transaction as the
-- outputs that evidence caused. A restart restores the snapshot and replays
-- the rows after detector_snapshots.journal_seq, so evidence of messages
-- acknowledged after the snapshot is not forgotten. Rows up to a snapshot
-- are deleted in the snapshot's transaction.
CREATE TABLE linestate_journal (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    evidence TEXT NOT NULL   -- JSON of linestate.Evidence
) STRICT;

ALTER TABLE detector_snapshots ADD COLUMN journal_seq INTEGER NOT NULL DEFAULT 0;
