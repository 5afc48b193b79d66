package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/coverage"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/waitfor"
)

// startRadioSNMPD runs net-snmp's snmpd in a namespace of its own,
// answering community radiolab with a poor signal at the README's
// placeholder vendor OIDs (RSRP -118 dBm, SINR -2.0 dB as tenths, RSSI
// -99 dBm), and returns its address (host:port) as the host reaches it.
func startRadioSNMPD(t *testing.T) string {
	t.Helper()
	router := lab.NewNetns(t, "rad")
	hostAddr, routerAddr := randomLink()
	lab.Veth(t, nil, hostAddr+"/30", router, routerAddr+"/30")
	port := strconv.Itoa(lab.FreeUDPPort(t))
	// No wait here: the agent polls every second and retries.
	lab.StartSNMPD(t, router, fmt.Sprintf(`agentAddress udp:%s:%s
rocommunity radiolab
override .1.3.6.1.4.1.99999.1.1.0 integer -118
override .1.3.6.1.4.1.99999.1.2.0 integer -20
override .1.3.6.1.4.1.99999.1.3.0 integer -99
`, routerAddr, port), nil)
	return routerAddr + ":" + port
}

// waitWeakRadioCell waits until the controller at ctrl lists cell, and
// only it, as weak, with the score and reasons the radio snmpd's values
// (startRadioSNMPD) give.
func waitWeakRadioCell(t *testing.T, ctrl *controller.Controller, cell, what string) {
	t.Helper()
	var cells []coverage.CellView
	waitfor.Until(t, what, func() error {
		resp, err := http.Get("http://" + ctrl.HTTPAddr() + "/api/v1/coverage/cells?weak=true")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var body struct{ Cells []coverage.CellView }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return err
		}
		if len(body.Cells) == 0 {
			return fmt.Errorf("no weak cell yet")
		}
		cells = body.Cells
		return nil
	})
	c := cells[0]
	t.Logf("weak cell %s score %v event %+v detail %s", c.Cell, *c.Score, c.Event, c.Detail)
	if len(cells) != 1 || c.Cell != cell || c.Score == nil || *c.Score != 0 || c.Event == nil ||
		!strings.Contains(c.Event.Reason, "rsrp_dbm median -118 ≤ weak -110") || !strings.Contains(c.Event.Reason, "sinr_db median -2 ≤ weak 0") ||
		!strings.Contains(c.Event.Reason, "rssi_dbm median -99 ≤ weak -95") {
		t.Fatalf("weak cells: %+v", cells)
	}
}

// Radio OIDs from the controller's SNMP profile: the README's profile
// (hotspot-vendor-a, its radio scalars) in the controller's config and its
// inventory block (a hotspot site and its router element naming the
// site's agent) give the shipped agent binary, whose own file has no
// probes at all, a derived snmp probe of the router; the controller finds
// the hotspot's cell weak from what snmpd answers at those OIDs.
func TestRadioOIDsFromProfileLab(t *testing.T) {
	if testing.Short() {
		t.Skip("lab test")
	}
	t.Parallel()
	agentBin := buildBinary(t, "vantage-agent")
	influx := testinflux.Start(t)
	router := startRadioSNMPD(t)

	dataDir := t.TempDir()
	inv := strings.Replace(readmeBlockWith(t, "hs-garden-router"), "192.0.2.10", router, 1)
	importInventory(t, dataDir, inv)
	const lat, lon = 31.2301, 121.4701 // the README's site
	cell := complaints.Geohash(lat, lon, 7)
	profile := readmeBlockWith(t, "hotspot-vendor-a:", "scalars:")
	profile = strings.NewReplacer("  enabled: true\n", "  enabled: true\n  refresh: 1s\n", "interval: 60s", "interval: 1s",
		`"COMMUNITY"`, "radiolab").Replace(profile)
	natsPort := lab.FreePort(t)
	ctrl, _, _, _ := runController(t, fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
api_auth: false
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s}
coverage: {window: 1m, interval: 1s, weak_after: 3s, min_samples: 3}
%s`, dataDir, natsPort, influx.URL, influx.Bucket, profile))
	cfgFile := filepath.Join(t.TempDir(), "agent.yaml")
	cfg := fmt.Sprintf("agent_id: hs-garden-1\nhttp_listen: 127.0.0.1:0\nnats: {urls: [nats://127.0.0.1:%d]}\npublish: {batch_delay: 100ms}\n"+
		"remote_config: {enabled: true, cache_file: %s}\nprobes: []\n", natsPort, filepath.Join(t.TempDir(), "remote.yaml"))
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	startAgentBinary(t, agentBin, cfgFile)

	waitWeakRadioCell(t, ctrl, cell, "the garden's cell weak")
	// What the agent was given: the profile's OIDs, its community redacted.
	resp, err := http.Get("http://" + ctrl.HTTPAddr() + "/api/v1/agents/hs-garden-1/config")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(raw); !strings.Contains(got, "1.3.6.1.4.1.99999.1.2.0") || !strings.Contains(got, "hs-garden") || strings.Contains(got, "radiolab") {
		t.Errorf("the agent's derived config, as the API shows it:\n%s", got)
	}
}
