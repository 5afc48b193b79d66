package main

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"time"
)

// window is when a run is measured: after warm-up, for length.
type window struct{ warmup, length time.Duration }

// row is one measured run.
type row struct {
	name       string
	targets    int
	probes     float64 // echo requests sent in the window
	cpu        float64 // CPU seconds in the window
	cpuPer1000 float64
	rssMB      float64
	lossPct    float64
	ratio      float64 // agent CPU per probe / fping's; 0 for fping
	seconds    float64 // window length
	// With SNMP: varbinds fetched in the window, and for the reference
	// snmpbulkwalk's CPU (the agent's is in cpu: one process does both).
	varbinds, snmpCPU float64
	// late50, late99: the agent's round lateness quantiles (seconds, upper
	// bucket bounds); skipped: slots not started in the window.
	late50, late99, skipped float64
	// lost: requests whose round ended unanswered in the window; late:
	// replies read after that; drops: packets the kernel dropped on the
	// agent's raw socket (a full receive buffer) in the window.
	lost, late, drops float64
	// inflight: requests neither answered nor given up at the last scrape.
	inflight float64
	// load0, load1: the machine's 1-minute load average as the window
	// opened and closed (the machine may be shared with other work).
	load0, load1 float64
}

// measure waits out the warm-up, reads the process's CPU, waits out the
// window printing progress, and reads it again. sample, if not nil, is
// called at both edges and returns the cumulative probe count.
func measure(ctx context.Context, cmd *exec.Cmd, label string, w window, sample func() (float64, error)) (cpu, probes, rss float64, err error) {
	if !sleepCtx(ctx, w.warmup) {
		return 0, 0, 0, ctx.Err()
	}
	pid := cmd.Process.Pid
	cpu0, err := cpuSeconds(pid)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%s exited during warm-up: %w", label, err)
	}
	var p0 float64
	if sample != nil {
		if p0, err = sample(); err != nil {
			return 0, 0, 0, err
		}
	}
	start := time.Now()
	for time.Since(start) < w.length {
		step := min(5*time.Second, w.length-time.Since(start))
		if !sleepCtx(ctx, step) {
			return 0, 0, 0, ctx.Err()
		}
		c, err := cpuSeconds(pid)
		if err != nil {
			return 0, 0, 0, fmt.Errorf("%s exited: %w", label, err)
		}
		fmt.Printf("  %s: %3.0fs of %s, %.2f CPU s so far\n", label, time.Since(start).Seconds(), w.length, c-cpu0)
	}
	cpu1, err := cpuSeconds(pid)
	if err != nil {
		return 0, 0, 0, err
	}
	if sample != nil {
		p1, err := sample()
		if err != nil {
			return 0, 0, 0, err
		}
		probes = p1 - p0
	}
	rss, err = peakRSSMB(pid)
	return cpu1 - cpu0, probes, rss, err
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func printRows(rows []row) {
	defer printLoss(rows)
	defer printFullLoad(rows)
	fmt.Printf("\n%-22s %8s %12s %10s %14s %8s %8s %14s\n",
		"run", "targets", "probes/s", "CPU s", "CPU s/1000", "RSS MB", "loss %", "CPU vs fping")
	for _, r := range rows {
		ratio := "reference"
		if r.ratio > 0 {
			ratio = fmt.Sprintf("%.2fx", r.ratio)
		}
		loss := "n/a"
		if r.lossPct >= 0 {
			loss = fmt.Sprintf("%.3f", r.lossPct)
		}
		fmt.Printf("%-22s %8d %12.0f %10.2f %14.5f %8.1f %8s %14s\n",
			r.name, r.targets, r.probes/r.seconds, r.cpu, r.cpuPer1000, r.rssMB, loss, ratio)
	}
}

// printFullLoad adds what a full-load run measures beyond fan-out: total
// CPU against fping plus snmpbulkwalk, the agent's scheduling error and
// skipped slots.
func printFullLoad(rows []row) {
	fmt.Printf("\n%-22s %8s %10s %12s %12s %10s %10s %9s\n",
		"run", "targets", "varbinds/s", "total CPU s", "vs reference", "late p50", "late p99", "skipped")
	var ref row
	for _, r := range rows {
		total := r.cpu + r.snmpCPU
		vs := "reference"
		if r.ratio == 0 {
			ref = r
		} else if t := ref.cpu + ref.snmpCPU; t > 0 {
			vs = fmt.Sprintf("%.2fx", total/t)
		}
		late := func(v float64) string {
			if r.ratio == 0 || math.IsNaN(v) {
				return "n/a"
			}
			return fmt.Sprintf("<=%gms", v*1000)
		}
		skipped := "n/a"
		if r.ratio != 0 {
			skipped = fmt.Sprintf("%.0f", r.skipped)
		}
		fmt.Printf("%-22s %8d %10.0f %12.2f %12s %10s %10s %9s\n",
			r.name, r.targets, r.varbinds/r.seconds, total, vs, late(r.late50), late(r.late99), skipped)
	}
}

// printLoss shows where the agent's loss figure comes from, with the load
// the machine was under: requests whose round ended unanswered, replies
// read after that, and replies the kernel dropped on a full socket.
func printLoss(rows []row) {
	fmt.Printf("\n%-22s %8s %12s %10s %10s %10s %10s %18s\n",
		"run", "targets", "sent", "unanswered", "late", "sock drops", "in flight", "load 1m start/end")
	for _, r := range rows {
		if r.ratio == 0 {
			fmt.Printf("%-22s %8d %12.0f %10s %10s %10s %10s %9.2f / %6.2f\n", r.name, r.targets, r.probes, "-", "-", "-", "-", r.load0, r.load1)
			continue
		}
		fmt.Printf("%-22s %8d %12.0f %10.0f %10.0f %10.0f %10.0f %9.2f / %6.2f\n",
			r.name, r.targets, r.probes, r.lost, r.late, r.drops, r.inflight, r.load0, r.load1)
	}
}
