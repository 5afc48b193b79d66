// Command pgjournal measures what a cluster's line health costs its shared
// PostgreSQL database (issue 16): -lines lines (default 50,000) over
// -parts partitions (default 16, the README's cluster), each line sending
// -rate results a second, for -duration (default 60 s). Every partition
// runs a real linehealth.Monitor (with its Partition, its clock loop and
// snapshots) on one throwaway PostgreSQL server (internal/testpg), fed the
// way controller/partition's worker feeds it: each pull (-pull, the
// node's Tick, default 1 s) stages the results that arrived for the
// partition's lines, per agent, and Flush commits them (journal row, line
// events, line states, points for the shipper) before the ack; each
// Monitor saves its snapshot every -snapshot (cluster.snapshot_interval,
// default 5 s), deleting the journal rows it covers. No NATS:
// the results are generated in-process, the points are shipped by a real
// shipper to a writer that discards them.
//
// It prints, over the measured window: commits/s and rows/s
// (pg_stat_database), WAL bytes/s (pg_current_wal_lsn), the server's CPU
// seconds per second (/proc of the postmaster and its backends), the
// controller side's CPU per result (this process: Monitors, shipper,
// generator), the commit latency per pull (p50, p99, max) and the lag
// behind the schedule — whether one PostgreSQL keeps up — and a
// BENCH-SUMMARY line for docs/BENCHMARKS.md's bench:pgjournal block.
//
//	go run ./bench/pgjournal                          # 50,000 lines, 16 partitions, 60 s
//	go run ./bench/pgjournal -lines 100000 -duration 30s
//
// The server runs durable (fsync, full-page writes and synchronous commit
// on, unlike testpg's test settings) unless -fast. Timings are reported,
// never judged.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type config struct {
	lines, parts, pops, flap int
	rate                     float64
	duration, pull, warmup   time.Duration
	snapshot                 time.Duration
	fast                     bool
}

func main() {
	var c config
	flag.IntVar(&c.lines, "lines", 50_000, "lines in the inventory")
	flag.IntVar(&c.parts, "parts", 16, "partitions (one Monitor each)")
	flag.IntVar(&c.pops, "pops", 64, "PoPs (one agent each); a partition holds whole PoPs")
	flag.IntVar(&c.flap, "flap", 10, "lines that go down for 20 s every 40 s (events, incidents)")
	flag.Float64Var(&c.rate, "rate", 1, "results per line per second")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "measured window")
	flag.DurationVar(&c.warmup, "warmup", 15*time.Second, "load before the measured window (first snapshots, caches)")
	flag.DurationVar(&c.pull, "pull", time.Second, "how often each partition commits (the node's Tick: a pull waits that long)")
	flag.DurationVar(&c.snapshot, "snapshot", 5*time.Second, "each partition's snapshot interval (cluster.snapshot_interval, default 5 s): its journal rows are deleted then")
	flag.BoolVar(&c.fast, "fast", false, "keep testpg's non-durable settings (fsync, full_page_writes, synchronous_commit off)")
	flag.Parse()
	if c.lines < 1 || c.parts < 1 || c.pops < c.parts || c.rate <= 0 || c.duration <= 0 || c.pull <= 0 || c.snapshot <= 0 || c.flap < 0 || c.flap > c.lines {
		fmt.Fprintln(os.Stderr, "bench/pgjournal: need -lines ≥ 1, -parts ≥ 1, -pops ≥ -parts, -rate > 0, -duration > 0, -pull > 0, -snapshot > 0, 0 ≤ -flap ≤ -lines")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r, err := run(ctx, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/pgjournal:", err)
		os.Exit(1)
	}
	r.print(os.Stdout, c)
	emit(c, r, "go run ./bench/pgjournal"+argString())
}

func argString() string {
	if len(os.Args) < 2 {
		return ""
	}
	return " " + strings.Join(os.Args[1:], " ")
}
