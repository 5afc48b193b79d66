// Package cellsamples keeps, per grid cell, the measurements that coverage
// and the network comparison are computed from. It is an ingest sink: from
// every accepted result it takes the values those two need — radio metrics
// of hotspot routers (SNMP scalars named in coverage.radio_metrics),
// achieved download throughput, and each network-tagged comparison test —
// places them in their site's grid cell (the inventory's sites.grid_cell)
// and stores them in cell_samples with their event time, idempotently, so
// a redelivered message overwrites its own rows.
//
// Results of sites the inventory does not know, or that have no grid cell,
// are not samples (counted by reason); they are still stored in InfluxDB
// by the ingest.
package cellsamples
