// Command vantage-demo runs the whole system on one machine for a first look:
// a local InfluxDB (scripts/influxdb.sh), the controller with its embedded
// NATS, and demo agents (two CPEs, a hotspot, a lines agent) probing targets the demo itself serves on
// loopback, and, when snmpd is installed, an snmpd polled by a network-side
// agent (snmp.go). It prints one "vantage demo ready:" line with where to look, then
// a progress line every few seconds. Ctrl-C stops every process it started.
//
// `make demo` builds the binaries into bin/ and runs this.
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

func main() {
	dir := flag.String("dir", ".demo", "working directory for configs, data and logs (wiped at start)")
	bin := flag.String("bin", "bin", "directory holding vantage-agent and vantage-controller")
	every := flag.Duration("progress", 5*time.Second, "interval of progress lines")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d := &demo{dir: mustAbs(*dir), bin: mustAbs(*bin), log: log}
	err := d.run(ctx, *every)
	d.shutdown()
	if err != nil {
		fmt.Fprintf(os.Stderr, "vantage demo: %v\n", err)
		os.Exit(1)
	}
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}
