-- PostgreSQL twin of controller/store/sqlite/migrations/0001_inventory.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- The inventory: who the customers are, where their sites are, which network
-- elements each line hangs from. Written by `vantage-controller inventory
-- import`; ids are the operator's own (circuit ids, CRM customer ids), so a
-- re-import updates rows in place.
--
-- References are DEFERRABLE INITIALLY DEFERRED: an import writes a whole file
-- in one transaction in any order (a child element before its parent) and the
-- references are checked at commit. The importer checks them first anyway, to
-- name the file and line; the constraints are the safety net.
-- Optional references are NULL, never '', so the constraint applies to them.

CREATE TABLE customers (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- tier decides notification priority and dampening: AB-class group and
    -- enterprise customers first, then the VIP tiers.
    tier            TEXT NOT NULL CHECK (tier IN ('ab_group', 'diamond', 'gold', 'silver', 'standard')),
    account_manager TEXT NOT NULL DEFAULT ''
);
CREATE INDEX customers_account_manager ON customers (account_manager);

-- contacts are the people told about faults: a first and a second contact so
-- a notice never waits on one person.
CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT '',
    -- channels: where a notification can go; '' when the contact has none.
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',  -- SMS and voice, E.164 preferred
    im          TEXT NOT NULL DEFAULT '',  -- IM handle or webhook URL
    language    TEXT NOT NULL DEFAULT ''   -- BCP 47 tag of messages, e.g. zh-CN
);
CREATE INDEX contacts_customer ON contacts (customer_id);

-- sites are places an agent watches from: a customer's premises (cpe) or a
-- public hotspot (no customer).
CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    customer_id TEXT REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED,
    kind        TEXT NOT NULL CHECK (kind IN ('cpe', 'hotspot')),
    name        TEXT NOT NULL,
    lat         DOUBLE PRECISION CHECK (lat BETWEEN -90 AND 90),
    lon         DOUBLE PRECISION CHECK (lon BETWEEN -180 AND 180),
    grid_cell   TEXT NOT NULL DEFAULT ''   -- geohash; coverage and complaints aggregate by it
);
CREATE INDEX sites_customer ON sites (customer_id);
CREATE INDEX sites_grid_cell ON sites (grid_cell);

-- upstream_elements is the tree lines hang from: PoP → router → card → port,
-- or an OLT and its ports. Incidents are rooted at the lowest element shared
-- by the lines that failed together.
CREATE TABLE upstream_elements (
    id        TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES upstream_elements (id) DEFERRABLE INITIALLY DEFERRED,
    kind      TEXT NOT NULL CHECK (kind IN ('pop', 'router', 'card', 'port', 'olt', 'olt_port')),
    name      TEXT NOT NULL,
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX upstream_elements_parent ON upstream_elements (parent_id);

-- lines are customers' dedicated circuits, keyed by the operator's circuit id.
-- NULL thresholds mean "use the tier's default".
CREATE TABLE lines (
    circuit_id           TEXT PRIMARY KEY,
    customer_id          TEXT NOT NULL REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED,
    a_end_site           TEXT REFERENCES sites (id) DEFERRABLE INITIALLY DEFERRED,
    z_end                TEXT NOT NULL DEFAULT '',  -- far end as the operator names it (PoP, DC, HQ)
    upstream_element_id  TEXT REFERENCES upstream_elements (id) DEFERRABLE INITIALLY DEFERRED,
    sla_availability_pct DOUBLE PRECISION CHECK (sla_availability_pct > 0 AND sla_availability_pct <= 100),
    loss_pct             DOUBLE PRECISION CHECK (loss_pct BETWEEN 0 AND 100),
    rtt_ms               DOUBLE PRECISION CHECK (rtt_ms >= 0),
    jitter_ms            DOUBLE PRECISION CHECK (jitter_ms >= 0)
);
CREATE INDEX lines_customer ON lines (customer_id);
CREATE INDEX lines_upstream_element ON lines (upstream_element_id);
CREATE INDEX lines_a_end_site ON lines (a_end_site);
