-- PostgreSQL twin of controller/store/sqlite/migrations/0007_snmp_devices.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- SNMP polls the controller derives from the inventory. An element that is an
-- SNMP device (a PE router) names its address and the controller-config
-- profile holding its credentials (never the credentials: they stay in
-- controller.yaml, out of the database, its exports and the API). An element
-- names the network-side agent at its PoP (elements.agent): that agent polls
-- the devices at or below it and watches the lines below it. A line names
-- the interface that carries it (ifName or ifAlias) and, optionally, its
-- device when that is not the nearest device above its upstream element.
ALTER TABLE upstream_elements ADD COLUMN agent TEXT NOT NULL DEFAULT '';
ALTER TABLE upstream_elements ADD COLUMN snmp_address TEXT NOT NULL DEFAULT '';
ALTER TABLE upstream_elements ADD COLUMN snmp_profile TEXT NOT NULL DEFAULT '';
ALTER TABLE lines ADD COLUMN snmp_device TEXT REFERENCES upstream_elements (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE lines ADD COLUMN snmp_ifname TEXT NOT NULL DEFAULT '';
ALTER TABLE lines ADD COLUMN snmp_ifalias TEXT NOT NULL DEFAULT '';
CREATE INDEX upstream_elements_agent ON upstream_elements (agent) WHERE agent <> '';
