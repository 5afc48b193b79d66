package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"sort"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/snmp"
)

// round is one client's fetch of the interface tables.
type round struct {
	wall, cpu  time.Duration
	varbinds   int
	interfaces int
}

type probeClient struct {
	p      *snmp.Prober
	reg    *prometheus.Registry
	target string
	seen   float64
}

func newProbeClient(d *device) (*probeClient, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("community: "+community+"\nmax_repetitions: 10\nrequest_timeout: 2s\n"), &n); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	p, err := snmp.NewProber(probe.Spec{Name: "bench", Type: "snmp", Interval: 10 * time.Second, Timeout: 8 * time.Second,
		Options: *n.Content[0], File: "bench", Registerer: reg})
	if err != nil {
		return nil, err
	}
	return &probeClient{p: p, reg: reg, target: d.target}, nil
}

func (c *probeClient) close() { _ = c.p.Close() }

// poll runs one probe round and measures this process's CPU around it: the
// bench does nothing else meanwhile, so that is the probe's cost (decoding,
// rates, samples, GC).
func (c *probeClient) poll(ctx context.Context) (round, error) {
	ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	cpu0, t0 := selfCPU(), time.Now()
	samples := c.p.Probe(ctx, c.target)
	r := round{wall: time.Since(t0), cpu: selfCPU() - cpu0}
	for _, s := range samples {
		if s.Error != "" {
			return r, fmt.Errorf("%s: %s", s.Error, s.Detail)
		}
		if s.Measurement == snmp.MeasurementIf {
			r.interfaces++
		}
	}
	total := counter(c.reg, "vantage_agent_snmp_varbinds_total")
	r.varbinds, c.seen = int(total-c.seen), total
	return r, nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func counter(reg *prometheus.Registry, name string) float64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) > 0 {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}

// bulkwalk fetches ifTable and ifXTable with net-snmp's snmpbulkwalk, with
// the same max-repetitions, and takes the children's CPU from the kernel.
// It walks whole tables (22 + 19 columns) where the probe asks for 14
// columns, so the fair comparison is per 1,000 varbinds.
func bulkwalk(ctx context.Context, d *device) (round, error) {
	var r round
	for _, table := range []string{"1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1"} {
		cmd := exec.CommandContext(ctx, "snmpbulkwalk", "-v2c", "-c", community, "-Cr10", "-On", "-Oq",
			"-t", "2", "-r", "1", "-M", "/nonexistent", "-m", "", d.target, table)
		t0 := time.Now()
		out, err := cmd.Output()
		r.wall += time.Since(t0)
		if err != nil {
			return r, err
		}
		r.cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		r.varbinds += bytes.Count(out, []byte("\n"))
	}
	return r, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/1e6) }

// perK is CPU per 1,000 varbinds over the rounds.
func perK(rs []round) (cpuPerK time.Duration, medianWall time.Duration) {
	var cpu time.Duration
	var vb int
	walls := make([]time.Duration, len(rs))
	for i, r := range rs {
		cpu += r.cpu
		vb += r.varbinds
		walls[i] = r.wall
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	if vb == 0 {
		return 0, walls[len(walls)/2]
	}
	return cpu * 1000 / time.Duration(vb), walls[len(walls)/2]
}

func summary(gs, ns []round) {
	gk, gw := perK(gs)
	nk, nw := perK(ns)
	fmt.Printf("\nsummary over %d rounds (client CPU only; snmpd's own CPU is the same device for both)\n", len(gs))
	fmt.Printf("  probe (gosnmp):  %6d varbinds/round  CPU %s per 1,000 varbinds  median round %s\n", gs[len(gs)-1].varbinds, ms(gk), ms(gw))
	fmt.Printf("  snmpbulkwalk:    %6d varbinds/round  CPU %s per 1,000 varbinds  median round %s\n", ns[len(ns)-1].varbinds, ms(nk), ms(nw))
	if nk > 0 && nw > 0 {
		fmt.Printf("  ratio probe/snmpbulkwalk: CPU per 1,000 varbinds %.2f×, round duration %.2f×\n", float64(gk)/float64(nk), float64(gw)/float64(nw))
	}
}
