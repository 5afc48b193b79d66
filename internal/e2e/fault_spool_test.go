package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/testinflux"
)

// Fault test 6: the spool fills while NATS is down. The agent drops the
// oldest batches, counts every dropped result, and delivers the rest:
// produced == delivered + dropped, exactly, and InfluxDB holds the delivered.
func TestFaultSpoolFull(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	storeDir := t.TempDir()
	ns := startTestNATS(t, -1, storeDir)
	port := ns.Addr().(*net.TCPAddr).Port
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)
	ctrlReg := startFaultController(t, influx, t.TempDir(), fmt.Sprintf("nats: {urls: [%s]}", natsURL))

	// 400 targets at 1 s: about 120 kB of results a second, so the 2 MiB
	// spool (the smallest the config allows) is full within 20 s.
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer web.Close()
	var targets []string
	for i := 0; i < 400; i++ {
		targets = append(targets, fmt.Sprintf("%s/t%d", web.URL, i))
	}
	a, agentReg := newAgent(t, fmt.Sprintf(`agent_id: fault-cpe-full
site: {id: S-1}
http_listen: 127.0.0.1:0
nats: {urls: [%s], publish_timeout: 2s}
publish: {batch_delay: 100ms}
spool: {dir: %s, max_bytes: 2MiB, fsync: interval}
probes:
  - name: portals
    type: http
    interval: 1s
    timeout: 900ms
    labels: {line: L-1, customer: C-1}
    targets: [%s]
`, natsURL, t.TempDir(), strings.Join(targets, ", ")))
	stop := runAgent(t, a)
	time.Sleep(5 * time.Second)
	ns.Shutdown()
	ns.WaitForShutdown()
	time.Sleep(40 * time.Second)
	startTestNATS(t, port, storeDir)
	waitDrained(t, a)
	stop()

	produced := counter(t, agentReg, "vantage_agent_results_total")
	published := counter(t, agentReg, "vantage_agent_results_published_total")
	dropped := counter(t, agentReg, "vantage_agent_spool_dropped_total")
	st := a.Stats()
	t.Logf("agent produced %.0f, published %.0f, dropped %.0f (spool full), still spooled %d", produced, published, dropped, st.Queued)
	if dropped == 0 {
		t.Fatal("the spool never filled: no drops to count")
	}
	if published+dropped+float64(st.Queued) != produced {
		t.Fatalf("produced %.0f != published %.0f + dropped %.0f + spooled %d", produced, published, dropped, st.Queued)
	}
	waitPoints(t, influx, []string{"http"}, published)
	if got := counter(t, ctrlReg, "vantage_controller_results_ingested_total"); got != published {
		t.Errorf("controller wrote %.0f results for %.0f published", got, published)
	}
}
