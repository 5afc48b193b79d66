// Command pingfanout measures the agent's ping fan-out against fping: the
// same loopback targets, the same rate (every target once a second), the same
// window, in the same run. It prints CPU seconds per 1,000 probes, peak RSS
// and loss for each, and the agent/fping CPU ratio.
//
//	go run ./bench/pingfanout -targets 1000,5000 -duration 30s
//
// With -snmp-interfaces N it is the full-load bench: the namespace also
// holds a device of N interfaces (snmpd), which the agent's snmp probe polls
// every -snmp-interval while pinging, and which snmpbulkwalk polls alongside
// fping in the reference phase; it adds total CPU against that reference and
// the agent's scheduling error (vantage_agent_round_lateness_seconds).
//
//	go run ./bench/pingfanout -targets 5000,20000 -snmp-interfaces 500 -duration 60s
//
// With -burn N, N CPU-bound processes run beside it for the whole run: an
// edge box whose cores other programs hold. The agent must then skip slots
// (counted) rather than report replies it read late as lost:
//
//	go run ./bench/pingfanout -targets 20000 -burn 6
//
// The agent is built as packaging ships it (-tags vantage_lite, stripped)
// unless -agent names a binary.
// It needs root: the targets are addresses of a network namespace it makes
// (198.18.0.0/16 routed to that namespace's loopback), so no packet leaves
// the machine and no other program's ICMP traffic reaches the measured
// sockets. The namespace is deleted on exit.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vantage-net/vantage/packaging"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve-nats" {
		serveNATS(os.Args[2:])
		return
	}
	if len(os.Args) > 2 && os.Args[1] == "burn" {
		burnMain(os.Args[2])
		return
	}
	if len(os.Args) > 2 && os.Args[1] == "scrape" {
		scrapeMain(os.Args[2])
		return
	}
	targets := flag.String("targets", "1000,5000", "comma-separated target counts")
	duration := flag.Duration("duration", 30*time.Second, "measured window per run")
	warmup := flag.Duration("warmup", 5*time.Second, "time before the window opens (start-up, first rounds)")
	agentBin := flag.String("agent", "", "the agent binary to measure (default: built as shipped, into a temporary directory)")
	block := flag.String("block", "", "docs/BENCHMARKS.md block the summary line fills (default pingfanout, agent-full-load with -snmp-interfaces)")
	nice := flag.Int("nice", 0, "nice value for every measured program (e.g. -10 on a machine shared with other work: a 1-Hz pinger kept waiting for a CPU misses its slots)")
	snmpIfaces := flag.Int("snmp-interfaces", 0, "interfaces of an snmpd device polled alongside (0: ping only; even)")
	flag.DurationVar(&snmpInterval, "snmp-interval", 10*time.Second, "how often the device is polled")
	burn := flag.Int("burn", 0, "CPU-bound processes (nice 0, outside the namespace) run for the whole bench: the CPU starvation of an edge box whose cores other programs hold")
	engines := flag.String("engines", "shared", "agent ping engines to measure: shared, pro-bing (pro-bing runs only at the smallest target count)")
	flag.Parse()

	if os.Geteuid() != 0 {
		fatal("needs root: it makes a network namespace and opens raw ICMP sockets")
	}
	counts, err := parseCounts(*targets)
	if err != nil {
		fatal("-targets: %v", err)
	}
	bin := *agentBin
	if bin == "" {
		dir, err := os.MkdirTemp("", "pingfanout-bin")
		if err != nil {
			fatal("%v", err)
		}
		defer os.RemoveAll(dir)
		if bin, err = buildShipped(dir); err != nil {
			fatal("%v", err)
		}
	} else if bin, err = filepath.Abs(bin); err != nil {
		fatal("-agent: %v", err)
	}
	if _, err := os.Stat(bin); err != nil {
		fatal("-agent: %v", err)
	}

	if *burn < 0 || *burn > 64 {
		fatal("-burn: %d is not between 0 and 64", *burn)
	}
	if err := run(counts, bin, *engines, *snmpIfaces, *nice, *burn, *block, window{warmup: *warmup, length: *duration}); err != nil {
		fatal("%v", err)
	}
}

// run measures every target count; its deferred clean-up (namespace, NATS)
// always runs, which is why errors come back here instead of exiting.
func run(counts []int, bin, engines string, snmpIfaces, nice, burn int, block string, w window) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ns, err := newNamespace()
	if err != nil {
		return err
	}
	ns.nice = nice
	defer ns.remove()
	natsURL, stopNATS, err := ns.startNATS()
	if err != nil {
		return fmt.Errorf("nats: %w", err)
	}
	defer stopNATS()
	snmp := snmpIfaces > 0
	if snmp {
		stopSNMP, err := ns.startSNMP(snmpIfaces)
		if err != nil {
			return fmt.Errorf("snmpd: %w", err)
		}
		defer stopSNMP()
	}

	if burn > 0 {
		stopBurn, err := startBurners(burn)
		if err != nil {
			return err
		}
		defer stopBurn()
		fmt.Printf("pingfanout: %d CPU burners at nice 0 for the whole run\n", burn)
	}
	fmt.Printf("pingfanout: %d cores, %s, namespace %s, window %s after %s warm-up, 1 ping per target per second, agent %s\n",
		cpuCount(), memTotal(), ns.name, w.length, w.warmup, bin)
	fmt.Printf("pingfanout: load average %s, CPU pressure %s, programs at nice %d\n", loadAvg(), cpuPressure(), nice)
	defer func() {
		fmt.Printf("pingfanout: at the end, load average %s, CPU pressure %s\n", loadAvg(), cpuPressure())
	}()
	if snmp {
		fmt.Printf("pingfanout: snmpd with %d interfaces polled every %s\n", snmpIfaces, snmpInterval)
	}
	var rows []row
	for i, n := range counts {
		addrs := targetAddrs(n)
		f, err := runFping(ctx, ns, addrs, snmp, w)
		if err != nil {
			return fmt.Errorf("fping, %d targets: %w", n, err)
		}
		rows = append(rows, f)
		for _, engine := range strings.Split(engines, ",") {
			if engine == "pro-bing" && i > 0 {
				continue
			}
			a, err := runAgent(ctx, ns, bin, natsURL, engine, addrs, snmp, w)
			if err != nil {
				return fmt.Errorf("agent (%s), %d targets: %w", engine, n, err)
			}
			a.ratio = a.cpuPer1000 / f.cpuPer1000
			rows = append(rows, a)
		}
		if ctx.Err() != nil {
			break
		}
	}
	printRows(rows)
	return emitSummary(rows, snmp, block)
}

// snmpInterval is the device's poll interval (-snmp-interval).
var snmpInterval = 10 * time.Second

// buildShipped builds the agent as packaging/build.go does for a release
// (its tags, -trimpath, stripped), for this machine, into dir.
func buildShipped(dir string) (string, error) {
	out := filepath.Join(dir, "vantage-agent")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-tags", packaging.AgentTags, "-o", out, "./cmd/vantage-agent")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the agent: %v: %s", err, b)
	}
	return out, nil
}

func parseCounts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 60000 {
			return nil, fmt.Errorf("%q is not a target count between 1 and 60000", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// targetAddrs are n distinct addresses in 198.18.0.0/16, all local to the
// namespace's loopback.
func targetAddrs(n int) []string {
	out := make([]string, n)
	for i := range out {
		j := i + 1
		out[i] = fmt.Sprintf("198.18.%d.%d", j/250, j%250+1)
	}
	return out
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pingfanout: "+format+"\n", args...)
	os.Exit(1)
}
