package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"

	"github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/internal/waitfor"
	"github.com/vantage-net/vantage/probes/result"
)

// A full start and stop leaves nothing running: every component the
// controller starts (ingest, HTTP, registry, line health, shipper, config
// syncer, revocation guard) has returned before Run returns, and Close
// released what New acquired. A heartbeat makes the registry queue an
// `agent` point and the shipper write it to a real InfluxDB, so the write
// path's goroutines are part of what must be gone.
func TestStartStopLeavesNoGoroutine(t *testing.T) {
	influx := testinflux.Start(t)
	before := goleak.IgnoreCurrent() // testinflux's process waiters are the test's, not the controller's
	dir := t.TempDir()
	extra := filepath.Join(dir, "extra")
	cfg, err := config.Parse("controller.yaml", []byte(fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
nats: {listen: "127.0.0.1:-1", agent_auth: true}
api_auth: false
influx: {url: %s, bucket: %s}
remote_config: {enabled: true, refresh: 1s, extra_dir: %s}
`, dir, influx.URL, influx.Bucket, extra)))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	c, err := New(Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(testWriter(t), nil)),
		Registry: reg, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	// The controller's own connection is the one with the broker's rights.
	hb, _ := json.Marshal(result.Heartbeat{Agent: "cpe-1", Version: "test", Time: time.Now(), IntervalS: 10})
	client := &http.Client{}
	waitfor.Until(t, "agent point shipped to InfluxDB", func() error {
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		default:
		}
		if err := c.broker.Conn.Publish("vantage.heartbeat.cpe-1", hb); err != nil {
			return err
		}
		resp, err := client.Get("http://" + c.HTTPAddr() + "/api/v1/agents")
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		// Read from the controller's metrics, not by querying InfluxDB:
		// the test's own InfluxDB connections would be leaks of the test.
		if n := shipped(t, reg); n == 0 {
			return fmt.Errorf("%v points shipped", n)
		}
		return nil
	})
	client.CloseIdleConnections()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return within a minute of its context ending")
	}
	goleak.VerifyNone(t, before)
}

func shipped(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "vantage_controller_shipper_shipped_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}

// testWriter logs through t when -v, else discards.
func testWriter(t *testing.T) io.Writer {
	if testing.Verbose() {
		return tWriter{t}
	}
	return io.Discard
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
