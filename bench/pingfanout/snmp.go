package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// snmpCommunity is the benchmark snmpd's read community.
const snmpCommunity = "bench-community"

// snmpTarget is where snmpd answers inside the namespace (its loopback).
const snmpTarget = "127.0.0.1:1161"

// snmpColumns are the ifTable/ifXTable columns the snmp probe reads
// (probes/snmp/ifmib.go): snmpbulkwalk walks each of them, so both clients
// fetch the same varbinds.
var snmpColumns = []string{
	"1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.7", "1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.2.2.1.9",
	"1.3.6.1.2.1.2.2.1.10", "1.3.6.1.2.1.2.2.1.14", "1.3.6.1.2.1.2.2.1.16", "1.3.6.1.2.1.2.2.1.20",
	"1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.31.1.1.1.10", "1.3.6.1.2.1.31.1.1.1.15",
	"1.3.6.1.2.1.31.1.1.1.18", "1.3.6.1.2.1.31.1.1.1.19",
}

// startSNMP gives the namespace n interfaces (veth pairs, both ends inside)
// and runs snmpd on its loopback. It returns a stop function.
func (ns *namespace) startSNMP(n int) (stop func(), err error) {
	var batch strings.Builder
	for i := 0; i < n/2; i++ {
		fmt.Fprintf(&batch, "link add b%da type veth peer name b%db\nlink set b%da up\nlink set b%db up\n", i, i, i, i)
	}
	cmd := exec.Command("ip", "-n", ns.name, "-batch", "-")
	cmd.Stdin = strings.NewReader(batch.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ip -batch: %v: %s", err, out)
	}
	dir, err := os.MkdirTemp("", "pingfanout-snmpd")
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "snmpd.conf")
	if err := os.WriteFile(conf, []byte("agentAddress udp:"+snmpTarget+"\nrocommunity "+snmpCommunity+" 127.0.0.1\n"), 0o600); err != nil {
		return nil, err
	}
	d := ns.command("snmpd", "-f", "-Lf", filepath.Join(dir, "snmpd.log"), "-C", "-c", conf, "-M", "/nonexistent", "-m", "")
	d.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+dir)
	if err := d.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("snmpd: %w", err)
	}
	stop = func() { _ = d.Process.Kill(); _ = d.Wait(); os.RemoveAll(dir) }
	for deadline := time.Now().Add(15 * time.Second); ; {
		if ns.command("snmpget", "-v2c", "-c", snmpCommunity, "-t", "0.5", "-r", "0", "-M", "/nonexistent", "-m", "", snmpTarget, "1.3.6.1.2.1.1.3.0").Run() == nil {
			return stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("snmpd did not answer within 15s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// walkLoop is the reference's SNMP half: every interval, snmpbulkwalk
// (-Cr10, the probe's max_repetitions) of each column the probe reads, one
// process per column, until ctx ends. It returns the children's CPU
// seconds and the varbinds fetched in rounds that started inside the
// window [from, to).
func (ns *namespace) walkLoop(ctx context.Context, interval time.Duration, from, to time.Time) (cpu float64, varbinds, rounds int, err error) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		start := time.Now()
		if !start.Before(to) {
			return cpu, varbinds, rounds, nil
		}
		in := !start.Before(from)
		for _, col := range snmpColumns {
			c := ns.command("snmpbulkwalk", "-v2c", "-c", snmpCommunity, "-Cr10", "-On", "-Oq",
				"-t", "2", "-r", "1", "-M", "/nonexistent", "-m", "", snmpTarget, col)
			out, e := c.Output()
			if e != nil {
				return cpu, varbinds, rounds, fmt.Errorf("snmpbulkwalk %s: %w", col, e)
			}
			if in {
				cpu += (c.ProcessState.UserTime() + c.ProcessState.SystemTime()).Seconds()
				varbinds += bytes.Count(out, []byte("\n"))
			}
		}
		if in {
			rounds++
		}
		select {
		case <-ctx.Done():
			return cpu, varbinds, rounds, ctx.Err()
		case <-tick.C:
		}
	}
}
