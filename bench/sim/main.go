// Command sim is the one-controller scale benchmark of issue 16: the
// fleet simulator (internal/fleetsim) publishes N lines' results into the
// shipped vantage-controller (embedded NATS with agent auth, SQLite, a
// real InfluxDB started by scripts/influxdb.sh) for a while; it samples
// the ingest's consumer lag and the controller's RSS every 10 s, then
// waits for the events to become final and runs the checker (every
// GET /api/v1/lines/{id} timed) and pages through GET /api/v1/lines
// (timed), and prints the figures. Short by default (2,000 lines, 2
// minutes); BENCH_LONG=1 for 50,000 lines and 10 minutes. Before the
// controller starts it seeds a month of past flaps and outages
// (-history-days, -history-per-line) and at the end times detail calls
// and 100-line list pages over them; -api-only does only that.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

type config struct {
	lines     int
	duration  time.Duration
	rateScale float64
	horizon   time.Duration
	seed      int64
	keep      bool
	// cpuprofile is passed to the controller's --cpuprofile.
	cpuprofile string
	// heapprofile is passed to the controller's --heapprofile.
	heapprofile string
	// historyDays and historyPerLine seed past events before the run
	// (seedHistory), so the API is timed over a month of history.
	historyDays, historyPerLine int
	// apiOnly skips the simulation: seed, start, time the API, stop.
	apiOnly bool
	// catchUp bounds the wait for the ingest to catch up and for the
	// events to become final after the run.
	catchUp time.Duration
	// influxNice lowers influxd's CPU priority (nice value, 0: unchanged),
	// as a one-box deployment would so line health keeps up while
	// InfluxDB's lag waits on disk in the write-behind queue.
	influxNice int
}

func main() {
	c := config{lines: 2000, duration: 2 * time.Minute, rateScale: 200}
	if os.Getenv("BENCH_LONG") == "1" {
		c = config{lines: 50_000, duration: 10 * time.Minute, rateScale: 10}
	}
	flag.IntVar(&c.lines, "lines", c.lines, "simulated lines")
	flag.DurationVar(&c.duration, "duration", c.duration, "how long results are published")
	flag.Float64Var(&c.rateScale, "rate-scale", c.rateScale, "multiplies the field's flap rate")
	flag.DurationVar(&c.horizon, "horizon", 60*time.Second, "the controller's detector.horizon")
	flag.Int64Var(&c.seed, "seed", 16, "simulation seed")
	flag.DurationVar(&c.catchUp, "catch-up", 4*time.Minute, "longest wait for the ingest to catch up, and again for events to become final")
	flag.BoolVar(&c.keep, "keep", false, "keep the work directory")
	flag.IntVar(&c.historyDays, "history-days", 30, "days of past events seeded before the run (0: none)")
	flag.IntVar(&c.historyPerLine, "history-per-line", 20, "past flaps and outages seeded per line")
	flag.IntVar(&c.influxNice, "influx-nice", 0, "nice value for influxd's threads (0: unchanged; 10: line health before InfluxDB on one box)")
	flag.BoolVar(&c.apiOnly, "api-only", false, "no simulation: seed the history, start the controller and time the API")
	flag.StringVar(&c.cpuprofile, "cpuprofile", "", "the controller writes a CPU profile of the whole run to this file")
	flag.StringVar(&c.heapprofile, "heapprofile", "", "the controller writes a heap profile at each new peak of its live heap to this file")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := os.MkdirTemp("", "bench-sim-")
	if err != nil {
		fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	err = run(ctx, c, dir, log)
	if !c.keep {
		os.RemoveAll(dir) // before os.Exit, which runs no defers
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/sim:", err, "(work dir", filepath.Clean(dir)+")")
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench/sim:", err)
	os.Exit(1)
}
