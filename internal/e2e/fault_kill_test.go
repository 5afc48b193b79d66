package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// buildBinary compiles ./cmd/<name> for tests that must kill it with
// SIGKILL, which an in-process controller or agent cannot survive.
func buildBinary(t *testing.T, name string) string {
	t.Helper()
	root, err := testinflux.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/"+name)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Fault test 3: the controller (and its embedded NATS) killed with SIGKILL
// mid-stream and restarted on the same data directory. JetStream's file
// store is in the page cache, which outlives the process, so every
// acknowledged message is still there; unacknowledged deliveries are
// redelivered and rewritten, which InfluxDB stores once (same point).
func TestFaultControllerKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test")
	}
	t.Parallel()
	bin := buildBinary(t, "vantage-controller")
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	port := lab.FreePort(t)
	cfgFile := writeControllerConfig(t, fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s}
ingest: {fetch_batch: 50, max_ack_pending: 500, ack_wait: 10s}
`, dataDir, port, influx.URL, influx.Bucket))
	ctrl := startDurableController(t, bin, cfgFile)

	a, agentReg := spoolingAgent(t, fmt.Sprintf("nats://127.0.0.1:%d", port))
	stop := runAgent(t, a)
	time.Sleep(15 * time.Second)
	if err := ctrl.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = ctrl.Wait()
	t.Log("controller killed with SIGKILL")
	time.Sleep(10 * time.Second)
	startDurableController(t, bin, cfgFile)
	time.Sleep(5 * time.Second)
	waitDrained(t, a)
	stop()

	produced := counter(t, agentReg, "vantage_agent_results_total")
	published := counter(t, agentReg, "vantage_agent_results_published_total")
	st := a.Stats()
	t.Logf("agent produced %.0f, published %.0f, still spooled %d, dropped %d", produced, published, st.Queued, st.Dropped)
	if st.Dropped != 0 || published+float64(st.Queued) != produced {
		t.Fatalf("agent lost results")
	}
	ctx := lab.Deadline(t, 90*time.Second)
	lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
		var total int64
		for _, m := range []string{"http", "dial"} {
			n, err := influx.Count(ctx, m)
			if err != nil {
				return err
			}
			total += n
		}
		if float64(total) != published {
			return fmt.Errorf("InfluxDB holds %d points, the agent published %.0f", total, published)
		}
		return nil
	})
}

func tailString(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
