package config

import (
	"regexp"
	"time"
)

// Cluster makes this controller one of several sharing the results by
// partition on an external NATS cluster (controller/partition): each
// line's line health lives on one controller at a time, partitions move
// (their state restored from the shared database) when a controller joins
// or dies. Omitted: one
// controller takes every result (the durable consumer ingest.consumer).
//
//	cluster:
//	  id: ctl-1
//	  partitions: 16
//	  lease: 10s
//	  snapshot_interval: 5s
type Cluster struct {
	// ID names this controller among the others: unique, stable across
	// restarts, letters, digits, '-' and '_'.
	ID string `yaml:"id"`
	// Partitions is how many partitions the PoPs are hashed onto (default
	// 16): the most controllers that can share the work. Every controller
	// of the cluster must use the same number.
	Partitions int `yaml:"partitions"`
	// Lease is how long a dead controller keeps its partitions (default
	// 10s): they move to the others within one lease plus a quarter of it.
	Lease time.Duration `yaml:"lease"`
	// SnapshotInterval is how often each partition's line-health
	// detector is saved to the database (default 5s). A new owner replays
	// the partition's journal since the last one, so it bounds that work.
	SnapshotInterval time.Duration `yaml:"snapshot_interval"`
}

var clusterID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (c *Config) setClusterDefaults() {
	k := c.Cluster
	if k == nil {
		return
	}
	if k.Partitions == 0 {
		k.Partitions = 16
	}
	if k.Lease == 0 {
		k.Lease = 10 * time.Second
	}
	if k.SnapshotInterval == 0 {
		k.SnapshotInterval = 5 * time.Second
	}
}

func (c *Config) validateCluster(bad func(field, format string, args ...any)) {
	k := c.Cluster
	if k == nil {
		return
	}
	if !clusterID.MatchString(k.ID) {
		bad("cluster.id", "%q must be 1-64 letters, digits, '-' or '_' (it is a NATS KV key)", k.ID)
	}
	if k.Partitions < 1 || k.Partitions > 1024 {
		bad("cluster.partitions", "%d is outside 1..1024", k.Partitions)
	}
	if k.Lease < 2*time.Second {
		bad("cluster.lease", "%s is shorter than 2s: a busy controller would lose its partitions between refreshes", k.Lease)
	}
	if k.SnapshotInterval <= 0 {
		bad("cluster.snapshot_interval", "%s must be positive", k.SnapshotInterval)
	}
	if c.NATS.Embedded() {
		bad("cluster", "needs nats.urls: controllers share an external NATS cluster (an embedded server is one controller's)")
	}
	if c.Ingest.Consumer != "" {
		bad("ingest.consumer", "does not apply with cluster: each partition has its own consumer (vantage-part-<n>)")
	}
}
