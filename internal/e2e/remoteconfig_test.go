package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestRemoteConfigFromInventory: the inventory says site S1 runs agent
// cpe-1 and lines L1 and L2 start there; the controller derives cpe-1's
// probe set and publishes it; the real agent, started with no probes of
// its own, applies it and its results make the lines known and up. An
// import adding L3 reaches the agent as a new revision, which its
// heartbeat then reports.
func TestRemoteConfigFromInventory(t *testing.T) {
	if testing.Short() {
		t.Skip("needs InfluxDB")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	inv := `customers:
  - {id: C1, name: One, tier: gold}
sites:
  - {id: S1, customer: C1, kind: cpe, name: HQ, agent: cpe-1}
lines:
  - {circuit_id: L1, customer: C1, a_end_site: S1, probe_address: 127.0.0.1}
  - {circuit_id: L2, customer: C1, a_end_site: S1, probe_address: 127.0.0.2}
`
	importInventory(t, dataDir, inv)
	ctrl := startControllerWith(t, influx, dataDir, "remote_config: {enabled: true, refresh: 1s, ping: {interval: 500ms}}\n")
	a, _ := newAgent(t, fmt.Sprintf(`agent_id: cpe-1
nats: {urls: [%s]}
heartbeat_interval: 1s
publish: {batch_delay: 50ms}
remote_config: {enabled: true, cache_file: %s}
probes: []
`, ctrl.NATSURL(), filepath.Join(t.TempDir(), "remote.yaml")))
	stop := runAgent(t, a)
	defer stop()

	ctx := lab.Deadline(t, 60*time.Second)
	rev1 := waitConfigApplied(t, ctx, ctrl, 0)
	waitLinesUp(t, ctx, ctrl, "L1", "L2")

	importInventory(t, dataDir, inv+"  - {circuit_id: L3, customer: C1, a_end_site: S1, probe_address: 127.0.0.3}\n")
	rev2 := waitConfigApplied(t, ctx, ctrl, rev1)
	waitLinesUp(t, ctx, ctrl, "L3")
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		var ag struct {
			ConfigRev uint64 `json:"config_rev"`
			Probes    int    `json:"probes"`
			Site      string `json:"site"`
		}
		if err := getJSON(ctx, ctrl, "/api/v1/agents/cpe-1", &ag); err != nil {
			return err
		}
		if ag.ConfigRev != rev2 || ag.Site != "S1" || ag.Probes != 3 {
			return fmt.Errorf("registry shows %+v, want config_rev %d, site S1, 3 probe jobs (one per line)", ag, rev2)
		}
		return nil
	})
}

// waitConfigApplied waits until cpe-1's config revision is newer than
// after and the agent reported it applied; it returns the revision.
func waitConfigApplied(t *testing.T, ctx context.Context, c *controller.Controller, after uint64) uint64 {
	t.Helper()
	var rev uint64
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		var v struct {
			Revision uint64 `json:"revision"`
			Status   *struct {
				Applied bool   `json:"applied"`
				Running uint64 `json:"running"`
				Error   string `json:"error"`
			} `json:"status"`
		}
		if err := getJSON(ctx, c, "/api/v1/agents/cpe-1/config", &v); err != nil {
			return err
		}
		if v.Revision <= after || v.Status == nil || !v.Status.Applied || v.Status.Running != v.Revision {
			return fmt.Errorf("config revision %d (want > %d), status %+v", v.Revision, after, v.Status)
		}
		rev = v.Revision
		return nil
	})
	return rev
}

// waitLinesUp waits until each line is known to the controller and up.
func waitLinesUp(t *testing.T, ctx context.Context, c *controller.Controller, ids ...string) {
	t.Helper()
	for _, id := range ids {
		lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
			var l struct {
				State    string `json:"state"`
				Customer string `json:"customer"`
			}
			if err := getJSON(ctx, c, "/api/v1/lines/"+id, &l); err != nil {
				return err
			}
			if l.State != "up" || l.Customer != "C1" {
				return fmt.Errorf("line %s: %+v", id, l)
			}
			return nil
		})
	}
}
