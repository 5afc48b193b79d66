package fleetsim_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestSimulatorShortForm is the simulator's short form through the
// shipped binaries: `vantage-sim inventory` → `vantage-controller
// inventory import` → the controller (embedded NATS with agent auth on,
// real InfluxDB 1.8.10) → `vantage-sim run` (each simulated agent with its
// own password) → `vantage-sim check`, which must find every flap and
// outage per line exactly, each grouped failure as one incident, and no
// other incident at a shared element. Time is compressed: the flap rate is
// the field's × 3000 and the flap threshold 15 s.
func TestSimulatorShortForm(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	bin := buildBinaries(t, "vantage-controller", "vantage-sim")
	influx := testinflux.Start(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "vantage.db")
	plan := []string{"-lines", "300", "-duration", "50s", "-rate-scale", "3000", "-flap-threshold", "15s",
		"-groups", "2", "-silent", "1", "-skewed", "1", "-silence-for", "10s", "-quiet", "5s", "-seed", "16"}
	inv := filepath.Join(dir, "inventory.yaml")
	runBin(t, bin["vantage-sim"], append([]string{"inventory", "-out", inv}, plan...)...)
	runBin(t, bin["vantage-controller"], "inventory", "import", "--db", db, inv)
	token := strings.TrimSpace(lastLine(runBin(t, bin["vantage-controller"], "token", "--db", db, "create", "--name", "sim", "--role", "admin")))

	natsPort, httpPort := lab.FreePort(t), lab.FreePort(t)
	cfg := filepath.Join(dir, "controller.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: true}
influx: {url: %s, bucket: %s}
detector: {horizon: 20s, flap_threshold: 15s, snapshot_interval: 5s}
`, httpPort, dir, natsPort, influx.URL, influx.Bucket)), 0o600); err != nil {
		t.Fatal(err)
	}
	var ctrlLog bytes.Buffer
	ctrl := exec.Command(bin["vantage-controller"], "--config", cfg)
	ctrl.Stdout, ctrl.Stderr = &ctrlLog, &ctrlLog
	if err := ctrl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = ctrl.Process.Kill()
		_ = ctrl.Wait()
		if t.Failed() {
			t.Logf("controller log (tail):\n%s", tail(ctrlLog.String(), 4000))
		}
	})
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	ctx := lab.Deadline(t, 150*time.Second)
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		resp, err := http.Get(api + "/healthz")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("healthz: %s", resp.Status)
		}
		return nil
	})

	truth := filepath.Join(dir, "truth.json")
	out := runBin(t, bin["vantage-sim"], append([]string{"run", "-nats", fmt.Sprintf("nats://127.0.0.1:%d", natsPort),
		"-auth-db", db, "-truth", truth}, plan...)...)
	t.Log(strings.TrimSpace(out))

	// Events become final once the 20-s horizon has passed them.
	var last string
	lab.WaitFor(t, ctx, 2*time.Second, func() error {
		c := exec.CommandContext(ctx, bin["vantage-sim"], "check", "-api", api, "-token", token, "-truth", truth)
		b, err := c.CombinedOutput()
		last = string(b)
		if err != nil {
			return fmt.Errorf("%v: %s", err, tail(last, 3000))
		}
		return nil
	})
	t.Log(strings.SplitN(last, "\n", 2)[0])
	if !strings.Contains(last, "0 differences") || strings.Contains(last, " 0/") {
		t.Errorf("check: %s", last)
	}
}

// buildBinaries compiles ./cmd/<name> for each name into a temp dir.
func buildBinaries(t *testing.T, names ...string) map[string]string {
	t.Helper()
	root, err := testinflux.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := map[string]string{}
	args := []string{"build", "-o", dir + "/"}
	for _, n := range names {
		args = append(args, "./cmd/"+n)
		out[n] = filepath.Join(dir, n)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

func runBin(t *testing.T, bin string, args ...string) string {
	t.Helper()
	b, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, b)
	}
	return string(b)
}

func lastLine(s string) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	return ls[len(ls)-1]
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
