package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/testnats"
)

// outage is how long the fault tests keep a part down: the two
// minutes, long enough for every retry and backoff path to be taken more
// than once. The two outage tests run in parallel.
const outage = 2 * time.Minute

// faultTargets serves an HTTP page and a TCP port on loopback, so the fault
// tests need no root: dial and http results are produced steadily.
func faultTargets(t *testing.T) (httpURL, tcpAddr string) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	}))
	t.Cleanup(web.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return web.URL + "/", l.Addr().String()
}

// spoolingAgent is an agent with a disk spool and two probes at 1 s.
func spoolingAgent(t *testing.T, natsURL string) (*agent.Agent, *prometheus.Registry) {
	httpURL, tcpAddr := faultTargets(t)
	return newAgent(t, fmt.Sprintf(`agent_id: fault-cpe-1
site: {id: S-1}
http_listen: 127.0.0.1:0
nats: {urls: [%s], publish_timeout: 2s}
publish: {batch_delay: 100ms}
spool: {dir: %s, fsync: always}
probes:
  - name: portal
    type: http
    interval: 1s
    labels: {line: L-1, customer: C-1}
    targets: [%s]
  - name: erp
    type: dial
    interval: 1s
    labels: {line: L-2, customer: C-2}
    targets: [%s]
    options: {kind: tcp}
`, natsURL, t.TempDir(), httpURL, tcpAddr))
}

// assertDelivered stops nothing: it waits until InfluxDB holds exactly the
// results the agent produced, and checks the controller wrote each once.
func assertDelivered(t *testing.T, influx *testinflux.Server, agentReg, ctrlReg *prometheus.Registry, a *agent.Agent) {
	t.Helper()
	produced := counter(t, agentReg, "vantage_agent_results_total")
	published := counter(t, agentReg, "vantage_agent_results_published_total")
	st := a.Stats()
	t.Logf("agent produced %.0f, published %.0f, still spooled %d, dropped %d", produced, published, st.Queued, st.Dropped)
	if st.Dropped != 0 || published+float64(st.Queued) != produced {
		t.Fatalf("agent lost results: produced %.0f, published %.0f, spooled %d, dropped %d",
			produced, published, st.Queued, st.Dropped)
	}
	waitPoints(t, influx, []string{"http", "dial"}, published)
	if got := counter(t, ctrlReg, "vantage_controller_results_ingested_total"); got != published {
		t.Errorf("controller wrote %.0f results for %.0f published: duplicates or losses", got, published)
	}
}

// runAgent runs a until ctx ends, in the background.
func runAgent(t *testing.T, a *agent.Agent) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("agent: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("agent did not stop within 30s")
		}
	}
}

// Fault test 1: NATS down for two minutes while the agent keeps probing.
func TestFaultNATSDown(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	port := lab.FreePort(t)
	storeDir := t.TempDir()
	ns := startTestNATS(t, port, storeDir)
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)
	ctrlReg := startFaultController(t, influx, t.TempDir(), fmt.Sprintf("nats: {urls: [%s]}", natsURL))

	a, agentReg := spoolingAgent(t, natsURL)
	stop := runAgent(t, a)
	time.Sleep(10 * time.Second)
	ns.Shutdown()
	ns.WaitForShutdown()
	t.Logf("NATS down for %s", outage)
	time.Sleep(outage)
	if q := a.Stats().Queued; q == 0 {
		t.Errorf("nothing spooled during the outage")
	}
	ns = startTestNATS(t, port, storeDir)
	defer ns.Shutdown()
	waitDrained(t, a)
	stop()
	assertDelivered(t, influx, agentReg, ctrlReg, a)
}

// Fault test 2: InfluxDB down for two minutes; the stream backs up, nothing
// is acknowledged unwritten, and all of it arrives when InfluxDB returns.
func TestFaultInfluxDown(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	port := lab.FreePort(t)
	ctrlReg := startFaultController(t, influx, t.TempDir(), fmt.Sprintf(`nats: {listen: "127.0.0.1:%d", agent_auth: false}`, port))
	a, agentReg := spoolingAgent(t, fmt.Sprintf("nats://127.0.0.1:%d", port))
	stop := runAgent(t, a)
	time.Sleep(10 * time.Second)
	influx.Kill()
	t.Logf("InfluxDB down for %s", outage)
	time.Sleep(outage)
	influx.Restart()
	time.Sleep(5 * time.Second)
	waitDrained(t, a)
	stop()
	assertDelivered(t, influx, agentReg, ctrlReg, a)
}

// waitDrained waits until the agent's spool is empty (everything it
// produced so far was acknowledged by JetStream).
func waitDrained(t *testing.T, a *agent.Agent) {
	t.Helper()
	ctx := lab.Deadline(t, 90*time.Second)
	lab.WaitFor(t, ctx, 250*time.Millisecond, func() error {
		if q := a.Stats().Queued; q > 0 {
			return fmt.Errorf("%d results still spooled", q)
		}
		return nil
	})
}

// startFaultController runs the controller in-process with the given nats:
// block and a short ack wait, so redelivery paths are taken within the test.
func startFaultController(t *testing.T, influx *testinflux.Server, dataDir, natsBlock string) *prometheus.Registry {
	t.Helper()
	_, reg, _, _ := runController(t, fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
%s
influx: {url: %s, bucket: %s, request_timeout: 5s}
ingest: {fetch_batch: 50, max_ack_pending: 500, ack_wait: 10s}
`, dataDir, natsBlock, influx.URL, influx.Bucket))
	return reg
}

// waitPoints waits until the measurements hold exactly want points in all.
//
// The deadline covers the slowest drain after an InfluxDB outage: the next
// probe write (at most 10 s, controller/ingest outage.go) plus the longest
// redelivery delay of a deferred message (max_retry_delay, 1 min), with
// room for a loaded machine.
func waitPoints(t *testing.T, influx *testinflux.Server, measurements []string, want float64) {
	t.Helper()
	ctx := lab.Deadline(t, 150*time.Second)
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		var total int64
		for _, m := range measurements {
			n, err := influx.Count(ctx, m)
			if err != nil {
				return err
			}
			total += n
		}
		if float64(total) != want {
			return fmt.Errorf("InfluxDB holds %d points, the agent published %.0f", total, want)
		}
		return nil
	})
}

// startTestNATS runs a JetStream nats-server on loopback (port -1: any free
// one) until the test ends or the test shuts it down to make an outage.
func startTestNATS(t *testing.T, port int, storeDir string) *server.Server {
	t.Helper()
	return testnats.Start(t, server.Options{Port: port, JetStream: true, StoreDir: storeDir})
}
