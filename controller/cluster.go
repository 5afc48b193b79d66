package controller

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/partition"
	"github.com/vantage-net/vantage/internal/serve"
)

// openCluster prepares this controller's share of a cluster (config
// cluster, controller/partition): the results stream without the single
// ingest consumer, the partition map from the inventory, and the node
// that takes the place of the ingest in Run: one line-health Monitor per
// owned partition, on the shared database.
func openCluster(c *Controller) error {
	k := c.cfg.Cluster
	if k == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.ingester.EnsureStreamsOnly(ctx); err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	replicas := max(c.cfg.Ingest.Replicas, 1)
	d := c.cfg.Detector
	var err error
	c.cluster, err = partition.NewNode(ctx, partition.Options{
		Leases: partition.LeaseOptions{ID: k.ID, Partitions: k.Partitions, Lease: k.Lease},
		JS:     c.js, Replicas: replicas, Points: c.writer, AckWait: c.cfg.Ingest.AckWait,
		// Each partition's line health: the single controller's Monitor
		// options, on the shared database, with the notify outbox.
		Health: linehealth.Options{DB: c.db, Inventory: inventory.NewSQLStore(c.db), Shipper: c.shipper,
			Detector: d.LineState(), GroupWindow: d.GroupWindow, GroupRules: d.GroupRules(),
			SnapshotEvery: k.SnapshotInterval, IncidentHook: c.notifyHook()},
	}, c.log.With("component", "partition"), c.reg)
	return err
}

// ownHealth is the scope of the controller's own line-health Monitor: nil
// (every line) for one controller; in a cluster, where each partition has
// a Monitor of its own (controller/partition), one that watches no line
// and so restores, rewrites and retracts nothing of the partitions'.
func ownHealth(c *config.Config) *linehealth.Partition {
	if c.Cluster == nil {
		return nil
	}
	none := linehealth.NoInventory()
	return &linehealth.Partition{Name: "controller." + c.Cluster.ID, Owner: c.Cluster.ID, Owns: func(string) bool { return false },
		Inventory: func() *linehealth.Inventory { return none }}
}

// ownHealthRegistry is where the controller's own Monitor exports its
// metrics: nowhere in a cluster, where it watches no line and each
// partition's Monitor exports the same metrics with a partition label
// (controller/partition metrics.go).
func ownHealthRegistry(c *config.Config, reg prometheus.Registerer) prometheus.Registerer {
	if c.Cluster != nil {
		return nil
	}
	return reg
}

// inputComponent is what takes the results in: the partition node in a
// cluster, else the ingest.
func (c *Controller) inputComponent() component {
	if c.cluster != nil {
		return component{"partitions", c.cluster.Run}
	}
	return component{"ingest", c.ingester.Run}
}

// inputHealthy is the ingest's health; in a cluster the ingest does not
// run (the partitions' workers log and count their own failures).
func (c *Controller) inputHealthy() error {
	if c.cluster != nil {
		return nil
	}
	return c.ingester.Healthy()
}

// registerCluster adds GET /api/v1/cluster (admin and ops): members, this
// controller's partitions and every partition's owner.
func (c *Controller) registerCluster(mux *http.ServeMux) {
	if c.cluster == nil {
		return
	}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := c.cluster.Status(r.Context())
		if err != nil {
			serve.JSON(w, http.StatusServiceUnavailable, map[string]string{"error": err.Error()})
			return
		}
		serve.JSON(w, http.StatusOK, st)
	})
	if *c.cfg.APIAuth {
		h = apiauth.RequireRole(apiauth.Admin, apiauth.Ops)(h)
	}
	mux.Handle("GET /api/v1/cluster", h)
}
