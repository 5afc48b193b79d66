// Command footprint measures what the agent costs on the CPUs `make dist`
// builds for: it cross-builds the agent per arch (as make dist does), runs
// it — natively on amd64, under qemu-user-static otherwise — with 100 ping
// targets (127.0.0.1-100, count 1) plus one HTTP and one DNS probe against
// loopback servers, all at 1 s, publishing to an in-process JetStream, and
// reads the process's CPU and peak RSS over a window after a warm-up.
//
// Under qemu-user the figures are the emulator's process: the agent's own
// memory plus qemu's code and translation cache, and CPU that includes
// translating and emulating every instruction (a real armv7 or MIPS core
// runs the same code natively). They bound the real figures from above; the
// amd64 row beside them is native.
//
//	go run ./bench/footprint -arch amd64,armv7,mipsle -duration 30s
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/agentrun"
	"github.com/vantage-net/vantage/packaging"
	"github.com/vantage-net/vantage/probes/result"
)

func main() {
	archs := flag.String("arch", "amd64,armv7,mipsle", "agent targets to measure (packaging.Targets arch names)")
	warmup := flag.Duration("warmup", 10*time.Second, "time before the window")
	duration := flag.Duration("duration", 30*time.Second, "measured window")
	pings := flag.Int("ping-targets", 100, "ping targets, 127.0.0.1 upwards (at most 250)")
	flag.Parse()
	if *pings < 1 || *pings > 250 {
		fatal("-ping-targets must be 1..250")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := os.MkdirTemp("", "footprint")
	if err != nil {
		fatal("%v", err)
	}
	defer os.RemoveAll(dir)

	fmt.Printf("footprint: %d ping targets + 1 http + 1 dns probe at 1 s, warm-up %s, window %s\n", *pings, *warmup, *duration)
	fmt.Printf("| agent | run | stripped size | CPU (%% of one core) | peak RSS | results/s |\n| --- | --- | ---: | ---: | ---: | ---: |\n")
	for _, arch := range strings.Split(*archs, ",") {
		r, err := measure(ctx, dir, strings.TrimSpace(arch), *pings, *warmup, *duration)
		if err != nil {
			fatal("%s: %v", arch, err)
		}
		fmt.Println(r)
	}
}

func measure(ctx context.Context, dir, arch string, pings int, warmup, window time.Duration) (string, error) {
	t, err := packaging.Find("vantage-agent", arch)
	if err != nil {
		return "", err
	}
	root, err := filepath.Abs(".")
	if err != nil {
		return "", err
	}
	bin, err := packaging.Build(ctx, packaging.BuildOptions{Root: root, OutDir: dir, Version: "bench"}, t)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(bin)
	if err != nil {
		return "", err
	}
	emu := agentrun.Emulator(arch)
	run := "native"
	if emu != "" {
		if _, err := exec.LookPath(emu); err != nil {
			return "", fmt.Errorf("%s not found (apt-get install qemu-user-static)", emu)
		}
		run = "qemu-user (emulated)"
	}

	n, err := agentrun.StartNATS(ctx, filepath.Join(dir, "nats-"+arch))
	if err != nil {
		return "", err
	}
	defer n.Close()
	tg, err := agentrun.StartTargets()
	if err != nil {
		return "", err
	}
	defer tg.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	httpListen := l.Addr().String()
	l.Close()
	agentID := "footprint-" + arch
	cfg := filepath.Join(dir, arch+".yaml")
	text := agentrun.Config(agentrun.ConfigOptions{AgentID: agentID, NATSURL: n.URL, HTTPListen: httpListen,
		PingTargets: agentrun.LoopbackTargets(pings), Targets: tg, NoTCP: true, Interval: "1s",
		SpoolDir: filepath.Join(dir, "spool-"+arch)})
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		return "", err
	}
	cmd := agentrun.Command(emu, bin, "--config", cfg)
	logf, err := os.Create(filepath.Join(dir, arch+".log"))
	if err != nil {
		return "", err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return "", err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()

	// Count results as they arrive, to show the agent keeps up.
	count := make(chan int, 1)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var windowStart, windowEnd time.Time
	started := make(chan struct{})
	go func() {
		c := 0
		<-started
		_ = n.Results(rctx, agentID, func(r result.Result) bool {
			if !r.Time.Before(windowStart) && r.Time.Before(windowEnd) {
				c++
			}
			return false
		})
		count <- c
	}()

	select {
	case <-time.After(warmup):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	u0, err := agentrun.ReadUsage(cmd.Process.Pid)
	if err != nil {
		return "", fmt.Errorf("agent not running after warm-up (log %s): %w", logf.Name(), err)
	}
	windowStart = time.Now()
	windowEnd = windowStart.Add(window)
	close(started)
	select {
	case <-time.After(window):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	u1, err := agentrun.ReadUsage(cmd.Process.Pid)
	if err != nil {
		return "", err
	}
	// Results of the window's last rounds arrive after it: wait a batch.
	time.Sleep(3 * time.Second)
	cancel()
	results := <-count
	cpu := 100 * (u1.CPUSeconds - u0.CPUSeconds) / window.Seconds()
	return fmt.Sprintf("| %s | %s | %.2f MB | %.1f%% | %.1f MB | %.0f |", arch, run, float64(st.Size())/1e6, cpu,
		float64(u1.PeakRSSKiB)/1024, float64(results)/window.Seconds()), nil
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "footprint: "+format+"\n", args...)
	os.Exit(1)
}
