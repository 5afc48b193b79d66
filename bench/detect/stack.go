package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent"
	agentconfig "github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/controller"
	ctrlconfig "github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/probes"
)

// line is one monitored customer line: its circuit id, the lab customer
// (index into popLab) it leads to, its probe interval and round timeout,
// and, for a probe with confirmation probing, its confirmation interval.
type line struct {
	id       string
	cust     int
	interval time.Duration
	slotTO   time.Duration // the probe's timeout
	confirm  bool
	every    time.Duration // confirm.interval
	probe    confirmProbe  // a confirming line's probe settings
}

// plainTimeout is the agent's default round timeout, 80% of the interval.
func plainTimeout(interval time.Duration) time.Duration { return interval * 8 / 10 }

// timeout is the probe's round timeout.
func (l line) timeout() time.Duration { return l.slotTO }

// packetGap is the gap between a round's 3 echo requests: a confirming
// line's is its probe's (derived: 10 ms); a plain line's fits them well
// inside its timeout, the agent's default 100 ms at 1 Hz, less at higher
// rates.
func (l line) packetGap() time.Duration {
	if l.confirm {
		return l.probe.gap
	}
	return max(10*time.Millisecond, min(100*time.Millisecond, (l.timeout()/3).Truncate(10*time.Millisecond)))
}

// floor is the earliest the k-th failed round's result can exist after the
// line's first failed slot: plain, the k-th slot's timeout; confirming, the
// slot's timeout, then confirmation rounds every confirm interval, the
// (k-1)-th of them failing after its own timeout (the shorter of the
// probe's timeout and the confirm interval).
func (l line) floor(k int) time.Duration {
	if l.confirm && k > 1 {
		return l.timeout() + time.Duration(k-2)*l.every + min(l.timeout(), l.every)
	}
	return time.Duration(k-1)*l.interval + l.timeout()
}

// stack is the system under test: InfluxDB started by scripts/influxdb.sh,
// the real controller and agent assemblies in this process.
type stack struct {
	api        *apiClient
	params     linestate.Params
	horizon    time.Duration
	batchDelay time.Duration
}

// startStack starts InfluxDB, imports the inventory, starts the controller
// and then the agent (one ping probe per line). Every part it starts is
// stopped by cl.
func startStack(cl *cleanups, c config, dir string, l *popLab, lines []line) (*stack, error) {
	root, err := testinflux.ModuleRoot()
	if err != nil {
		return nil, err
	}
	influxURL, err := startInflux(cl, root, filepath.Join(dir, "influxdb"))
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "vantage.log"))
	if err != nil {
		return nil, err
	}
	cl.add(func() { logf.Close() })
	log := slog.New(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: slog.LevelInfo}))

	dataDir := filepath.Join(dir, "controller")
	invFile := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(invFile, []byte(inventoryYAML(lines)), 0o600); err != nil {
		return nil, err
	}
	if err := inventory.ImportCommand(context.Background(), filepath.Join(dataDir, "vantage.db"), []string{invFile}, io.Discard); err != nil {
		return nil, err
	}
	// api_auth off: the API listens on loopback for this process only.
	// The horizon is short so stored (final) events appear seconds after
	// a flap instead of 15 minutes.
	cfg, err := ctrlconfig.Parse("controller.yaml", []byte(fmt.Sprintf(`http_listen: 127.0.0.1:0
data_dir: %s
api_auth: false
nats: {listen: "127.0.0.1:-1", agent_auth: false}
influx: {url: %s, bucket: vantage/autogen}
detector: {horizon: %s}
`, dataDir, influxURL, c.horizon)))
	if err != nil {
		return nil, err
	}
	ctrl, err := controller.New(controller.Options{Config: cfg, Logger: log.With("side", "controller"),
		Registry: prometheus.NewRegistry(), Version: "bench"})
	if err != nil {
		return nil, err
	}
	runInBackground(cl, "controller", ctrl.Run)

	acfg, err := agentconfig.Parse("agent.yaml", []byte(agentYAML(ctrl.NATSURL(), c.batchDelay, l, lines)), probes.TypeInfo{})
	if err != nil {
		return nil, fmt.Errorf("agent config: %w", err)
	}
	a, err := agent.New(agent.Options{Config: acfg, Logger: log.With("side", "agent"),
		Registry: prometheus.NewRegistry(), Version: "bench"})
	if err != nil {
		return nil, err
	}
	runInBackground(cl, "agent", a.Run)
	return &stack{api: newAPIClient("http://" + ctrl.HTTPAddr()), params: cfg.Detector.LineState().Default,
		horizon: cfg.Detector.Horizon, batchDelay: acfg.Publish.BatchDelay}, nil
}

// runInBackground runs fn until the clean-up cancels it and waits for it.
func runInBackground(cl *cleanups, name string, fn func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	cl.add(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				fmt.Fprintf(os.Stderr, "bench/detect: %s: %v\n", name, err)
			}
		case <-time.After(30 * time.Second):
			fmt.Fprintf(os.Stderr, "bench/detect: %s did not stop within 30s\n", name)
		}
	})
}

// inventoryYAML: one customer per line, each line on its own port of the
// PoP's bridge (as in internal/e2e's PoP lab), so incidents are rooted and
// grouped as in production.
func inventoryYAML(lines []line) string {
	var b strings.Builder
	b.WriteString("customers:\n")
	for _, ln := range lines {
		fmt.Fprintf(&b, "  - {id: C-%s, name: Customer %s, tier: standard}\n", ln.id, ln.id)
	}
	b.WriteString("elements:\n  - {id: pop, kind: pop, name: PoP, agent: bench-detect}\n  - {id: br, parent: pop, kind: card, name: PoP bridge}\n")
	for _, ln := range lines {
		fmt.Fprintf(&b, "  - {id: P-%s, parent: br, kind: port, name: port %s}\n", ln.id, ln.id)
	}
	b.WriteString("lines:\n")
	for _, ln := range lines {
		fmt.Fprintf(&b, "  - {circuit_id: %s, customer: C-%s, upstream_element: P-%s}\n", ln.id, ln.id, ln.id)
	}
	return b.String()
}

// agentYAML: one ping probe per line, 3 echo requests a round (the
// default), timeout 80% of the interval (the default); a confirming
// line's probe is the controller's derived one (derived.go): its short
// timeout, request gap and confirm block.
func agentYAML(natsURL string, batchDelay time.Duration, l *popLab, lines []line) string {
	var b strings.Builder
	fmt.Fprintf(&b, "agent_id: bench-detect\nsite: {id: S-BENCH}\nhttp_listen: 127.0.0.1:0\nnats: {urls: [%s]}\n", natsURL)
	if batchDelay > 0 {
		fmt.Fprintf(&b, "publish: {batch_delay: %s}\n", batchDelay)
	}
	b.WriteString("probes:\n")
	for _, ln := range lines {
		fmt.Fprintf(&b, "  - name: pop-%s\n    type: ping\n    interval: %s\n    timeout: %s\n", ln.id, ln.interval, ln.timeout())
		fmt.Fprintf(&b, "    labels: {line: %s}\n    targets: [%s]\n", ln.id, l.addrs[ln.cust])
		fmt.Fprintf(&b, "    options: {count: 3, packet_interval: %s}\n", ln.packetGap())
		if ln.confirm {
			fmt.Fprintf(&b, "    confirm: {interval: %s, rounds: %d, watch: %s}\n", ln.every, ln.probe.rounds, ln.probe.watch)
		}
	}
	return b.String()
}

// startInflux runs `scripts/influxdb.sh start dir` (as bench/ingest does)
// and returns the INFLUX_URL it prints.
func startInflux(cl *cleanups, root, dir string) (string, error) {
	script := filepath.Join(root, "scripts", "influxdb.sh")
	cmd := exec.Command("bash", script, "start", dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	err := cmd.Run()
	// Stop even after a failed start: the script may have left influxd running.
	cl.add(func() {
		stop := exec.Command("bash", script, "stop", dir)
		stop.Stdout, stop.Stderr = io.Discard, os.Stderr
		_ = stop.Run()
	})
	if err != nil {
		return "", fmt.Errorf("scripts/influxdb.sh start: %w", err)
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "INFLUX_URL="); ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("scripts/influxdb.sh start printed no INFLUX_URL:\n%s", out.String())
}
