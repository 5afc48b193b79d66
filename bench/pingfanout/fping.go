package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
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
	list, err := os.CreateTemp("", "pingfanout-targets")
	if err != nil {
		return row{}, err
	}
	defer os.Remove(list.Name())
	fmt.Fprintln(list, strings.Join(addrs, "\n"))
	list.Close()
	gap := 1000.0 / float64(len(addrs))
	cmd := ns.command("fping", "-q", "-l", "-p", "1000", "-t", "900", "-b", "56",
		"-i", strconv.FormatFloat(gap, 'f', 3, 64), "-f", list.Name())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return row{}, err
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
	cpu, _, rss, err := measure(ctx, cmd, label, w, nil)
	_ = cmd.Process.Signal(syscall.SIGINT)
	_ = cmd.Wait()
	ran := time.Since(started)
	if err != nil {
		return row{}, fmt.Errorf("%w; fping said: %s", err, tail(stderr.String()))
	}
	xmt, rcv, err := fpingTotals(stderr.String())
	if err != nil {
		return row{}, err
	}
	// fping's summary covers the whole run; its rate is steady, so the
	// window's share of the requests is its share of the run time.
	probes := xmt * w.length.Seconds() / ran.Seconds()
	r := row{name: "fping", targets: len(addrs), probes: probes, cpu: cpu, rssMB: rss, seconds: w.length.Seconds()}
	r.cpuPer1000 = cpu / probes * 1000
	if snmp {
		wr := <-walks
		if wr.err != nil {
			return row{}, wr.err
		}
		r.name, r.snmpCPU, r.varbinds = "fping+snmpbulkwalk", wr.cpu, float64(wr.varbinds)
	}
	if xmt > 0 {
		r.lossPct = 100 * (xmt - rcv) / xmt
	}
	return r, nil
}

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
