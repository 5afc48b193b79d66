-- PostgreSQL twin of controller/store/sqlite/migrations/0025_cell_samples.sql: same tables,
-- BIGINT for SQLite INTEGER, DOUBLE PRECISION for REAL, BYTEA for BLOB.
-- cell_samples are the measurements coverage and the network comparison
-- read, per grid cell (controller/cellsamples, fed by the ingest): radio
-- metrics (rsrp_dbm, sinr_db, rssi_dbm from hotspot routers' SNMP scalars),
-- achieved download throughput, and every network-tagged result of the
-- comparison tests (ping_rtt_ms, ping_loss_pct, dns_ok, dns_ms, http_ok,
-- http_ttfb_ms, http_total_ms, throughput_kbps). t_ms is the result's event
-- time (Unix ms). The key makes a redelivered result overwrite itself.
-- Rows older than the retention are pruned by the coverage evaluation.
CREATE TABLE cell_samples (
    cell    TEXT NOT NULL,
    test    TEXT NOT NULL,
    network TEXT NOT NULL DEFAULT '',   -- '' for results not bound to an uplink
    site    TEXT NOT NULL,
    agent   TEXT NOT NULL,
    target  TEXT NOT NULL,
    t_ms    BIGINT NOT NULL,
    value   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (cell, test, network, t_ms, site, agent, target)
);
CREATE INDEX cell_samples_time ON cell_samples (t_ms);
