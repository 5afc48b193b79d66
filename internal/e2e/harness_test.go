package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent"
	agentconfig "github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/controller"
	"github.com/vantage-net/vantage/controller/agentauth"
	ctrlconfig "github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/probes"
)

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})).With("test", t.Name())
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startController runs the real controller assembly in-process with an
// embedded NATS server on a free port, writing to influx.
func startController(t *testing.T, influx *testinflux.Server, dataDir string) (*controller.Controller, *prometheus.Registry, context.CancelFunc, <-chan error) {
	t.Helper()
	cfgText := fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {listen: "127.0.0.1:-1", agent_auth: false}
influx: {url: %s, bucket: %s}
ingest: {fetch_batch: 50, max_ack_pending: 500}
`, dataDir, influx.URL, influx.Bucket)
	return runController(t, cfgText)
}

// runController runs the real controller assembly in-process with the given
// config until the test ends.
func runController(t *testing.T, cfgText string) (*controller.Controller, *prometheus.Registry, context.CancelFunc, <-chan error) {
	t.Helper()
	cfg, err := ctrlconfig.Parse("controller.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	c, err := controller.New(controller.Options{Config: cfg, Logger: testLogger(t).With("side", "controller"), Registry: reg, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("controller did not stop within 30s")
		}
	})
	return c, reg, cancel, done
}

// newAgent builds the real agent from config text.
func newAgent(t *testing.T, cfgText string) (*agent.Agent, *prometheus.Registry) {
	t.Helper()
	cfg, err := agentconfig.Parse("agent.yaml", []byte(cfgText), probes.TypeInfo{})
	if err != nil {
		t.Fatalf("agent config: %v\n%s", err, cfgText)
	}
	reg := prometheus.NewRegistry()
	a, err := agent.New(agent.Options{Config: cfg, Logger: testLogger(t).With("side", "agent"), Registry: reg, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return a, reg
}

// counter reads a counter or gauge (summed over labels) from a registry.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}

// issueCredentials adds each agent to the controller database at dbPath
// as `vantage-controller agent add` does, and returns what was issued.
func issueCredentials(t *testing.T, dbPath string, agents ...string) map[string]agentauth.Issued {
	t.Helper()
	db, err := sqlite.Open(context.Background(), dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := agentauth.NewStore(db)
	out := make(map[string]agentauth.Issued, len(agents))
	for _, id := range agents {
		if out[id], err = store.Add(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// farEnd is a line's far end for an http probe: it answers "ok" while up
// and, while down is set, hangs past the probe's timeout (a round that gets
// nothing back, as on a dead circuit), 3 s at the most. It returns the
// server's URL.
func farEnd(t *testing.T) (url string, down *atomic.Bool) {
	t.Helper()
	down = &atomic.Bool{}
	far := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	t.Cleanup(far.Close)
	return far.URL, down
}
