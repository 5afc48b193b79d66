package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/waitfor"
)

// Weak coverage from a real router's radio: net-snmp's snmpd in a
// namespace answers the vendor OIDs of the README's hotspot-radio example
// with a poor signal (RSRP -118 dBm, SINR -2.0 dB as tenths, RSSI -99 dBm);
// the shipped agent binary polls them as the README's scalars; the
// controller places them in the hotspot's grid cell, finds the cell weak,
// opens a weak-coverage event naming the quantities, and writes coverage
// points with weak=1 to InfluxDB.
func TestWeakCoverageFromSNMPLab(t *testing.T) {
	if testing.Short() {
		t.Skip("lab test")
	}
	t.Parallel()
	agentBin := buildBinary(t, "vantage-agent")
	influx := testinflux.Start(t)
	router := startRadioSNMPD(t)

	dataDir := t.TempDir()
	const lat, lon = 31.2301, 121.4701
	cell := complaints.Geohash(lat, lon, 7)
	importInventory(t, dataDir, fmt.Sprintf("sites:\n  - {id: hs-compound, kind: hotspot, name: Garden compound, lat: %g, lon: %g}\n", lat, lon))
	natsPort := lab.FreePort(t)
	ctrl, _, _, _ := runController(t, fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
api_auth: false
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s}
coverage: {window: 1m, interval: 1s, weak_after: 3s, min_samples: 3}
`, dataDir, natsPort, influx.URL, influx.Bucket))
	cfgFile := filepath.Join(t.TempDir(), "agent.yaml")
	// The README's hotspot-radio scalars, polled every second here.
	radio := strings.Replace(strings.Replace(strings.Replace(readmeBlockWith(t, "name: hotspot-radio"),
		"interval: 60s", "interval: 1s", 1), "192.0.2.10", router, 1), `"COMMUNITY"`, "radiolab", 1)
	cfg := fmt.Sprintf("agent_id: hs-compound-1\nsite: {id: hs-compound}\nhttp_listen: 127.0.0.1:0\nnats: {urls: [nats://127.0.0.1:%d]}\npublish: {batch_delay: 100ms}\nprobes:\n%s",
		natsPort, radio)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	startAgentBinary(t, agentBin, cfgFile)

	waitWeakRadioCell(t, ctrl, cell, "the compound's cell weak")
	waitfor.Until(t, "a weak coverage point in InfluxDB", func() error {
		pts, err := influx.Points(t.Context(), "coverage")
		if err != nil {
			return err
		}
		for _, p := range pts {
			if p["grid"] == cell && p["site"] == nil && p["weak"] == int64(1) && p["rsrp_dbm"] == -118.0 {
				return nil
			}
		}
		return fmt.Errorf("%d coverage points, none of the cell with weak=1", len(pts))
	})
}
