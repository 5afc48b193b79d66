package packaging

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/agentrun"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes/result"
)

// TestEmulatedAgentProbeCycle runs the armv7 and mipsle agents that `make
// dist` ships under qemu-user-static: --version, --check, then a short
// probe cycle (ping 127.0.0.1-3, HTTP, TCP and DNS against loopback
// servers) publishing to an in-process JetStream, until every probe has
// delivered a successful result. It proves the cross-built binaries start,
// parse their config, open raw ICMP sockets, spool and publish on those CPUs.
func TestEmulatedAgentProbeCycle(t *testing.T) {
	for _, arch := range []string{"armv7", "mipsle"} {
		t.Run(arch, func(t *testing.T) {
			lab.NeedRoot(t)
			emu := lab.NeedBinary(t, agentrun.Emulator(arch), "qemu-user-static")
			bin := built(t, "vantage-agent", arch)
			runProbeCycle(t, emu, bin, arch)
		})
	}
}

func runProbeCycle(t *testing.T, emu, bin, arch string) {
	ctx := lab.Deadline(t, 3*time.Minute)
	out, err := agentrun.Command(emu, bin, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "vantage-agent v0.0.0-test") {
		t.Fatalf("--version: %v: %s", err, out)
	}

	n, err := agentrun.StartNATS(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	tg, err := agentrun.StartTargets()
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	agentID := "qemu-" + arch
	cfg := filepath.Join(t.TempDir(), "agent.yaml")
	httpListen := fmt.Sprintf("127.0.0.1:%d", lab.FreePort(t))
	text := agentrun.Config(agentrun.ConfigOptions{AgentID: agentID, NATSURL: n.URL,
		HTTPListen: httpListen, PingTargets: agentrun.LoopbackTargets(3),
		Targets: tg, Interval: "1s", SpoolDir: filepath.Join(t.TempDir(), "spool")})
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = agentrun.Command(emu, bin, "--config", cfg, "--check").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok (4 probes") {
		t.Fatalf("--check: %v: %s\nconfig:\n%s", err, out, text)
	}

	cmd := agentrun.Command(emu, bin, "--config", cfg)
	logPath := filepath.Join(t.TempDir(), "agent.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	log := agentLog(logPath)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	ok := map[string]int{}
	failed := map[string]string{}
	rctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	err = n.Results(rctx, agentID, func(r result.Result) bool {
		if r.Error != "" {
			failed[r.Probe] = r.Error
			return false
		}
		ok[r.Probe]++
		return ok["ping"] >= 3 && ok["http"] > 0 && ok["tcp"] > 0 && ok["dns"] > 0
	})
	if err != nil {
		t.Fatalf("not every probe succeeded on %s: successes %v, last failures %v: %v\nagent log:\n%s", arch, ok, failed, err, log())
	}

	// /metrics of the shipped (vantage_lite) agent: its own counters and
	// the process figures, in the text format.
	resp, err := http.Get("http://" + httpListen + "/metrics")
	if err != nil {
		t.Fatalf("/metrics: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		"# TYPE vantage_agent_results_total counter",
		`vantage_agent_results_total{probe="ping"} `,
		"# TYPE vantage_agent_ping_requests_sent_total counter",
		"process_resident_memory_bytes ",
		"go_goroutines ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}

	// SIGINT: the agent flushes and exits 0, under emulation too.
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Fatalf("agent exit after SIGINT: %v\nagent log:\n%s", err, log())
		}
	case <-ctx.Done():
		t.Fatalf("agent did not stop after SIGINT\nagent log:\n%s", log())
	}
}

// agentLog returns a function reading the agent's log file, for failures.
func agentLog(path string) func() string {
	return func() string {
		b, _ := os.ReadFile(path)
		return string(b)
	}
}
