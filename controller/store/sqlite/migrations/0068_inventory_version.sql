-- Inventory version (controller/inventory SQLStore.Version): one row whose
-- version every inventory import that changes a row bumps, in the import's
-- own transaction. Cluster mode's controllers poll it (one primary-key read
-- per lease tick) and rebuild their partition map and their partitions'
-- line-health inventory only when it moved, instead of re-reading the whole
-- inventory every minute in every partition.
CREATE TABLE inventory_version (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    version    INTEGER NOT NULL,
    changed_at INTEGER NOT NULL  -- Unix ms UTC of the last change (0: never)
) STRICT;
INSERT INTO inventory_version (id, version, changed_at) VALUES (1, 0, 0);
