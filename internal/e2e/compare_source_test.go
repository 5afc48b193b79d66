package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/compare"
	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/waitfor"
)

// source_address through the shipped agent binary, on loopback only (no
// namespaces, no root): two networks bound to 127.0.0.2 and 127.0.0.3
// fetch the same page, which the server answers 100 ms later for
// 127.0.0.2 ("ours"); the comparison says ours is behind on first byte by
// about that much, and level on success. This is the demo's comparison.
func TestCompareSourceAddressE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e")
	}
	t.Parallel()
	agentBin := buildBinary(t, "vantage-agent")
	influx := testinflux.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("v"), 16<<10)
	seen := make(chan string, 1000)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		select {
		case seen <- host:
		default:
		}
		if host == "127.0.0.2" {
			time.Sleep(100 * time.Millisecond)
		}
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	dataDir := t.TempDir()
	const lat, lon = 31.2495, 121.4555
	cell := complaints.Geohash(lat, lon, 7)
	importInventory(t, dataDir, fmt.Sprintf("sites:\n  - {id: hs-st, kind: hotspot, name: Station hall, lat: %g, lon: %g}\n", lat, lon))
	port := lab.FreePort(t)
	ctrl, _, _, _ := runController(t, fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
api_auth: false
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s}
compare: {ours: ours, min_samples: 20}
`, dataDir, port, influx.URL, influx.Bucket))
	cfgFile := filepath.Join(t.TempDir(), "agent.yaml")
	cfg := fmt.Sprintf(`agent_id: hs-st-1
site: {id: hs-st}
http_listen: 127.0.0.1:0
nats: {urls: [nats://127.0.0.1:%d]}
publish: {batch_delay: 100ms}
networks:
  - {name: ours, source_address: 127.0.0.2}
  - {name: rival, source_address: 127.0.0.3}
probes:
  - name: compare-web
    type: http
    interval: 300ms
    networks: [ours, rival]
    options: {download: true}
    targets: [http://%s/]
`, port, ln.Addr())
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	startAgentBinary(t, agentBin, cfgFile)

	get := func(test string) compare.Report {
		q := url.Values{"cell": {cell}, "test": {test}}
		resp, err := http.Get("http://" + ctrl.HTTPAddr() + "/api/v1/compare?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r compare.Report
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&r) != nil {
			t.Fatalf("compare %s: %s", test, resp.Status)
		}
		return r
	}
	var ttfb, ok compare.Report
	waitfor.Until(t, "20 first-byte samples per network", func() error {
		ttfb, ok = get("http_ttfb_ms"), get("http_ok")
		if len(ttfb.Networks) != 2 || ttfb.Networks[0].N < 20 || ttfb.Networks[1].N < 20 || ok.Networks[1].N < 20 {
			return fmt.Errorf("networks %+v", ttfb.Networks)
		}
		return nil
	})
	t.Logf("http_ttfb_ms: %s %+v %+v", ttfb.Verdict, ttfb.Networks, ttfb.Versus)
	t.Logf("http_ok: %s %+v", ok.Verdict, ok.Versus)
	if d := ttfb.Versus[0]; ttfb.Verdict != compare.Behind || d.Competitor != "rival" || d.Difference < 80 || d.Difference > 300 || d.Low <= 0 {
		t.Errorf("first byte: %+v", ttfb)
	}
	if ok.Verdict != compare.Level {
		t.Errorf("success: %+v", ok)
	}
	from := map[string]bool{}
	for len(seen) > 0 {
		from[<-seen] = true
	}
	if !from["127.0.0.2"] || !from["127.0.0.3"] || from["127.0.0.1"] {
		t.Errorf("server saw sources %v, want 127.0.0.2 and 127.0.0.3 only", from)
	}
}

// startAgentBinary runs the agent binary with cfgFile until the test ends;
// its log is shown when the test failed.
func startAgentBinary(t *testing.T, bin, cfgFile string) {
	t.Helper()
	logFile, err := os.Create(filepath.Join(t.TempDir(), "agent.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config", cfgFile)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			out, _ := os.ReadFile(logFile.Name())
			t.Logf("agent log:\n%s", out)
		}
		logFile.Close()
	})
}
