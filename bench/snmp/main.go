// Command snmp benchmarks the snmp probe against net-snmp's snmpbulkwalk in
// the same run: one snmpd in a network namespace with 200 veth interfaces
// (100 pairs), polled every -interval for -duration. Each round polls once
// with the probe (ifTable + ifXTable columns, GetBulk, max-repetitions 10)
// and then fetches ifTable and ifXTable with snmpbulkwalk -Cr10. It reports
// client CPU per 1,000 varbinds and round duration for both, and their ratio.
// Needs root (namespaces), snmpd and snmpbulkwalk (Debian: snmpd, snmp).
//
//	go run ./bench/snmp -duration 60s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

type config struct {
	interfaces int
	interval   time.Duration
	duration   time.Duration
}

func main() {
	var c config
	flag.IntVar(&c.interfaces, "interfaces", 200, "interfaces on the device (veth ends, even number)")
	flag.DurationVar(&c.interval, "interval", 10*time.Second, "time between poll rounds")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "how long to poll")
	flag.Parse()
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "bench/snmp needs root: it makes a network namespace with veth interfaces")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "bench/snmp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	dev, err := startDevice(c.interfaces)
	if err != nil {
		return err
	}
	defer dev.close()
	fmt.Printf("snmpd at %s with %d interfaces (%d veth pairs, plus lo and the access link)\n", dev.target, c.interfaces, c.interfaces/2)

	probe, err := newProbeClient(dev)
	if err != nil {
		return err
	}
	defer probe.close()
	var gs, ns []round
	tick := time.NewTicker(c.interval)
	defer tick.Stop()
	end := time.Now().Add(c.duration)
	for i := 1; ; i++ {
		g, err := probe.poll(ctx)
		if err != nil {
			return fmt.Errorf("probe round %d: %w", i, err)
		}
		n, err := bulkwalk(ctx, dev)
		if err != nil {
			return fmt.Errorf("snmpbulkwalk round %d: %w", i, err)
		}
		gs, ns = append(gs, g), append(ns, n)
		fmt.Printf("round %2d  probe: %4d interfaces %5d varbinds %7s cpu %7s   snmpbulkwalk: %5d varbinds %7s cpu %7s\n",
			i, g.interfaces, g.varbinds, ms(g.wall), ms(g.cpu), n.varbinds, ms(n.wall), ms(n.cpu))
		if time.Now().Add(c.interval).After(end) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	summary(gs, ns)
	return nil
}
