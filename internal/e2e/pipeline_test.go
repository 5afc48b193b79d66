package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestPipeline runs an agent with ping, dial and http probes against
// loopback targets for about 10 s through a real NATS server, the real
// controller and a real InfluxDB, then checks with Flux that every result the
// agent says JetStream acknowledged is a point with the right measurement,
// tags and plausible fields — no more, no fewer.
func TestPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	t.Parallel()
	influx := testinflux.Start(t)
	ctrl, ctrlReg, _, _ := startController(t, influx, t.TempDir())

	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello from the portal")
	}))
	defer web.Close()
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	go func() {
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	// A port nobody listens on: the unreachable target must be a failed
	// result with its error class, never a crash.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()

	pingProbe := ""
	if os.Geteuid() == 0 {
		pingProbe = `  - name: pop
    type: ping
    interval: 1s
    timeout: 800ms
    labels: {line: L-1, customer: C-1}
    targets: [127.0.0.1]
    options: {count: 3}
`
	} else {
		lab.Missing(t, "ICMP ping needs root for the raw socket")
	}
	cfg := fmt.Sprintf(`agent_id: e2e-cpe-1
site: {id: S-1}
http_listen: 127.0.0.1:0
nats: {urls: [%s]}
publish: {batch_delay: 100ms}
probes:
%s  - name: portal
    type: http
    interval: 1s
    labels: {line: L-1, customer: C-1}
    targets: [%s/]
    options: {body_regex: "hello from"}
  - name: erp
    type: dial
    interval: 1s
    labels: {line: L-2, customer: C-2}
    targets: [%s, %s]
    options: {kind: tcp}
`, ctrl.NATSURL(), pingProbe, web.URL, tcp.Addr().String(), closedAddr)
	a, agentReg := newAgent(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	st := a.Stats()
	produced := counter(t, agentReg, "vantage_agent_results_total")
	published := counter(t, agentReg, "vantage_agent_results_published_total")
	t.Logf("agent produced %.0f results, published %.0f, queued %d, dropped %d", produced, published, st.Queued, st.Dropped)
	if published != produced || st.Dropped != 0 || st.Queued != 0 {
		t.Fatalf("agent produced %.0f but published %.0f (queued %d, dropped %d)", produced, published, st.Queued, st.Dropped)
	}
	minRounds := 7.0 // ~10 s at 1 s, allowing for start-up spread
	wantTypes := 3.0
	if pingProbe != "" {
		wantTypes = 4
	}
	if produced < minRounds*wantTypes {
		t.Fatalf("only %.0f results in 10 s", produced)
	}

	qctx := lab.Deadline(t, 60*time.Second)
	measurements := []string{"http", "dial"}
	if pingProbe != "" {
		measurements = append(measurements, "ping")
	}
	lab.WaitFor(t, qctx, 250*time.Millisecond, func() error {
		total := int64(0)
		for _, m := range measurements {
			n, err := influx.Count(qctx, m)
			if err != nil {
				return err
			}
			total += n
		}
		if float64(total) != published {
			return fmt.Errorf("InfluxDB holds %d points, agent published %.0f", total, published)
		}
		return nil
	})
	if got := counter(t, ctrlReg, "vantage_controller_results_ingested_total"); got != published {
		t.Errorf("controller ingested %.0f, agent published %.0f", got, published)
	}

	checkHTTP(t, qctx, influx, web.URL+"/")
	checkDial(t, qctx, influx, tcp.Addr().String(), closedAddr)
	if pingProbe != "" {
		checkPing(t, qctx, influx)
	}
}

func tagsOK(t *testing.T, row map[string]any, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s point: tag %s=%v, want %q (row %v)", row["_measurement"], k, row[k], v, row)
		}
	}
}

func checkHTTP(t *testing.T, ctx context.Context, influx *testinflux.Server, url string) {
	rows, err := influx.Points(ctx, "http")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		tagsOK(t, r, map[string]string{"agent": "e2e-cpe-1", "target": url, "line": "L-1", "customer": "C-1", "site": "S-1"})
		if r["ok"] != true || r["status"] != int64(200) {
			t.Errorf("http point not ok: %v", r)
		}
		total, _ := r["total_ms"].(float64)
		ttfb, _ := r["ttfb_ms"].(float64)
		if total <= 0 || total < ttfb || total > 1000 {
			t.Errorf("implausible http timings total=%v ttfb=%v", r["total_ms"], r["ttfb_ms"])
		}
		if r["bytes"] != int64(len("hello from the portal\n")) {
			t.Errorf("http bytes %v", r["bytes"])
		}
	}
}

func checkDial(t *testing.T, ctx context.Context, influx *testinflux.Server, open, closed string) {
	rows, err := influx.Points(ctx, "dial")
	if err != nil {
		t.Fatal(err)
	}
	seenOpen, seenClosed := 0, 0
	for _, r := range rows {
		tagsOK(t, r, map[string]string{"agent": "e2e-cpe-1", "kind": "tcp", "line": "L-2", "customer": "C-2", "site": "S-1"})
		switch r["target"] {
		case open:
			seenOpen++
			if r["ok"] != true {
				t.Errorf("dial to open port failed: %v", r)
			}
			if c, _ := r["connect_ms"].(float64); c < 0 || c > 1000 {
				t.Errorf("implausible connect_ms %v", r["connect_ms"])
			}
		case closed:
			seenClosed++
			if r["ok"] != false || r["error"] != "refused" {
				t.Errorf("dial to closed port: want ok=false error=refused, got %v", r)
			}
		default:
			t.Errorf("dial point for unexpected target %v", r["target"])
		}
	}
	if seenOpen == 0 || seenClosed == 0 {
		t.Errorf("dial points: %d open, %d closed", seenOpen, seenClosed)
	}
}

func checkPing(t *testing.T, ctx context.Context, influx *testinflux.Server) {
	rows, err := influx.Points(ctx, "ping")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no ping points")
	}
	for _, r := range rows {
		tagsOK(t, r, map[string]string{"agent": "e2e-cpe-1", "target": "127.0.0.1", "line": "L-1", "customer": "C-1", "site": "S-1"})
		if r["sent"] != int64(3) || r["recv"] != int64(3) || r["loss_pct"] != 0.0 {
			t.Errorf("loopback ping lost packets: %v", r)
		}
		avg, _ := r["rtt_avg_ms"].(float64)
		if avg <= 0 || avg > 50 {
			t.Errorf("implausible loopback rtt_avg_ms %v", r["rtt_avg_ms"])
		}
		if _, bad := r["error"]; bad {
			t.Errorf("loopback ping has an error: %v", r)
		}
	}
}
