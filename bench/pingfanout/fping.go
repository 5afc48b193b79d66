package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// runFping pings the targets with fping at one ping per target per second:
// -p 1000 is the per-target period, -i spreads the sends over the second.
//
// With snmp, snmpbulkwalk polls the device's interfaces alongside, as the
// agent's snmp probe does, and its CPU is added to the reference's.
func runFping(ctx context.Context, ns *namespace, addrs []string, snmp bool, w window) (row, error) {
	// One fping holds at most 65,536 sequence numbers for its 10-s expiry:
	// about 6,500 pings/s, where it stops with "not enough sequence
	// numbers". More targets than fpingMax are split over several fping
	// processes, whose CPU, RSS and counts are added up.
	var cmds []*exec.Cmd
	var errs []*bytes.Buffer
	defer func() {
		for _, c := range cmds {
			_ = c.Process.Signal(syscall.SIGINT)
			_ = c.Wait()
		}
	}()
	gap := 1000.0 / float64(min(len(addrs), fpingMax))
	for i := 0; i < len(addrs); i += fpingMax {
		list, err := os.CreateTemp("", "pingfanout-targets")
		if err != nil {
			return row{}, err
		}
		defer os.Remove(list.Name())
		fmt.Fprintln(list, strings.Join(addrs[i:min(i+fpingMax, len(addrs))], "\n"))
		list.Close()
		cmd := ns.command("fping", "-q", "-l", "-p", "1000", "-t", "900", "-b", "56",
			"-i", strconv.FormatFloat(gap, 'f', 3, 64), "-f", list.Name())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			return row{}, err
		}
		cmds, errs = append(cmds, cmd), append(errs, &stderr)
	}
	started := time.Now()
	type walked struct {
		cpu             float64
		varbinds, round int
		err             error
	}
	walks := make(chan walked, 1)
	if snmp {
		from := started.Add(w.warmup)
		go func() {
			var r walked
			r.cpu, r.varbinds, r.round, r.err = ns.walkLoop(ctx, snmpInterval, from, from.Add(w.length))
			walks <- r
		}()
	}
	label := fmt.Sprintf("fping %d", len(addrs))
	// The other processes' CPU is read at the window's edges with the first's.
	var others [2]float64
	edge := 0
	var loads [2]float64
	sample := func() (float64, error) {
		loads[edge] = load1()
		for _, c := range cmds[1:] {
			v, err := cpuSeconds(c.Process.Pid)
			if err != nil {
				return 0, err
			}
			others[edge] += v
		}
		edge++
		return 0, nil
	}
	cpu, _, rss, err := measure(ctx, cmds[0], label, w, sample)
	if err == nil {
		for _, c := range cmds[1:] {
			r, e := peakRSSMB(c.Process.Pid)
			if e != nil {
				err = e
			}
			rss += r
		}
	}
	for _, c := range cmds {
		_ = c.Process.Signal(syscall.SIGINT)
	}
	var xmt, rcv float64
	for i, c := range cmds {
		_ = c.Wait()
		if err != nil {
			continue
		}
		x, r, e := fpingTotals(errs[i].String())
		if e != nil {
			err = e
		}
		xmt, rcv = xmt+x, rcv+r
	}
	cmds = nil
	ran := time.Since(started)
	if err != nil {
		var said []string
		for _, e := range errs {
			said = append(said, tail(e.String()))
		}
		return row{}, fmt.Errorf("%w; fping said: %s", err, strings.Join(said, " | "))
	}
	cpu += others[1] - others[0]
	// fping's summary covers the whole run; its rate is steady, so the
	// window's share of the requests is its share of the run time.
	probes := xmt * w.length.Seconds() / ran.Seconds()
	name := "fping"
	if n := (len(addrs) + fpingMax - 1) / fpingMax; n > 1 {
		name = fmt.Sprintf("fping x%d", n)
	}
	r := row{name: name, targets: len(addrs), probes: probes, cpu: cpu, rssMB: rss, seconds: w.length.Seconds(), load0: loads[0], load1: loads[1]}
	r.cpuPer1000 = cpu / probes * 1000
	if snmp {
		wr := <-walks
		if wr.err != nil {
			return row{}, wr.err
		}
		r.name, r.snmpCPU, r.varbinds = r.name+"+snmpbulkwalk", wr.cpu, float64(wr.varbinds)
	}
	if xmt > 0 {
		r.lossPct = 100 * (xmt - rcv) / xmt
	}
	return r, nil
}

// fpingMax is the most targets one fping process is given (see runFping).
const fpingMax = 5000

var fpingSummary = regexp.MustCompile(`xmt/rcv/%loss = (\d+)/(\d+)/`)

// fpingTotals sums fping's per-target "xmt/rcv/%loss = 30/30/0%" lines.
func fpingTotals(out string) (xmt, rcv float64, err error) {
	m := fpingSummary.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return 0, 0, fmt.Errorf("no summary from fping: %s", tail(out))
	}
	for _, s := range m {
		x, _ := strconv.ParseFloat(s[1], 64)
		r, _ := strconv.ParseFloat(s[2], 64)
		xmt, rcv = xmt+x, rcv+r
	}
	return xmt, rcv, nil
}

func tail(s string) string {
	if len(s) > 400 {
		return "…" + s[len(s)-400:]
	}
	return s
}
