// Command detect measures the line-health detector end to end, in real
// network namespaces: how long after a customer link goes down the incident
// is open in the controller's API, and how well flaps are counted.
//
//	go run ./bench/detect                 # 12 trials at 1 Hz and at 5 Hz, then the flap schedule; about 4 min
//	go run ./bench/detect -skip-flaps -trials 20 -rates 1,2,5
//
// It needs root. It builds internal/e2e's PoP lab: a PoP namespace with a
// bridge, one customer namespace per line on a bridge port (in
// 198.18.124.0/24 by default, -net), the host routed to them through the
// PoP's uplink. In this process it runs the real controller (embedded NATS,
// api_auth off, a short detector horizon, -horizon) writing to InfluxDB
// 1.8.10 started by scripts/influxdb.sh, and the real agent pinging every
// line (3 echo requests a round, timeout 80% of the interval, the agent's
// defaults).
//
//   - Detection latency: for each rate, -trials lines each taken down once
//     (`ip link set <port> down` on the PoP's side), at a random phase of
//     the probe schedule; the time until GET /api/v1/incidents?state=open
//     lists the line (polled every 50 ms), next to the k-misses lower bound.
//     Then the link comes up and the next trial waits for the incident to
//     close. Each trial has a line of its own, so no failure count or
//     dampening penalty carries over.
//   - Flap accuracy: issue 4's schedule at -flap-rate: ten flaps of 2 to 20 s
//     on ten lines and one -outage on another. Ground truth is when this
//     program took the links down and up; detected is each line's stored
//     events (GET /api/v1/lines/{id}).
//
// Everything it made (namespaces, veths, the route, InfluxDB, its files) is
// removed on exit, ctrl-C and -timeout included. Timings are reported,
// never judged.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type config struct {
	trials                 int
	rates                  []float64
	flapRate               float64
	outage                 time.Duration
	horizon                time.Duration
	batchDelay             time.Duration
	net                    string
	timeout                time.Duration
	skipLatency, skipFlaps bool
	keep                   bool
}

// nFlaps is the schedule's flap count (durations 2, 4, … 20 s).
const nFlaps = 10

func main() {
	var c config
	rates := flag.String("rates", "1,5", "probe rates in Hz for the latency trials, comma-separated (0.1 to 10)")
	flag.IntVar(&c.trials, "trials", 12, "latency trials per rate (one line each)")
	flag.Float64Var(&c.flapRate, "flap-rate", 1, "probe rate in Hz of the flap schedule's lines")
	flag.DurationVar(&c.outage, "outage", 90*time.Second, "length of the schedule's outage, at least 65s (flaps stay 2-20 s)")
	flag.DurationVar(&c.horizon, "horizon", 5*time.Second, "controller detector.horizon: stored events appear this long after they end (default in production: 15m)")
	flag.DurationVar(&c.batchDelay, "batch-delay", 0, "agent publish.batch_delay (0: the agent's default)")
	flag.StringVar(&c.net, "net", "198.18.124", "the lab's /24 inside 198.18.0.0/15, without the last octet")
	flag.DurationVar(&c.timeout, "timeout", 8*time.Minute, "stop (and clean up) after this long in all")
	flag.BoolVar(&c.skipLatency, "skip-latency", false, "skip the detection-latency trials")
	flag.BoolVar(&c.skipFlaps, "skip-flaps", false, "skip the flap schedule")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary directory (controller and agent log, InfluxDB)")
	flag.Parse()

	var err error
	if c.rates, err = parseRates(*rates); err != nil {
		fatal(2, "-rates: %v", err)
	}
	switch {
	case c.trials < 1 || c.trials*len(c.rates)+nFlaps+1 > maxLines:
		fatal(2, "-trials must be between 1 and %d with %d rates (the lab holds %d lines)", (maxLines-nFlaps-1)/len(c.rates), len(c.rates), maxLines)
	case c.flapRate < 0.1 || c.flapRate > 10:
		fatal(2, "-flap-rate must be between 0.1 and 10 Hz")
	case c.outage < 65*time.Second:
		fatal(2, "-outage must be at least 65s: an outage lasts longer than the 60-s flap threshold")
	case c.horizon < time.Second || c.horizon > 5*time.Minute:
		fatal(2, "-horizon must be between 1s and 5m")
	case c.skipLatency && c.skipFlaps:
		fatal(2, "nothing to do: both -skip-latency and -skip-flaps")
	}
	if os.Geteuid() != 0 {
		fatal(1, "needs root: it makes network namespaces and veth links and sends raw ICMP")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := run(ctx, c); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("%w (-timeout %s)", err, c.timeout)
		}
		fatal(1, "%v", err)
	}
}

// plan lays out the lines: -trials per rate for the latency trials, then
// the flap schedule's ten flap lines and its outage line.
type plan struct {
	latency   [][]line // per rate
	flapLines []line
	outage    line
	all       []line
}

func makePlan(c config) plan {
	var p plan
	add := func(id string, interval time.Duration) line {
		ln := line{id: id, cust: len(p.all), interval: interval}
		p.all = append(p.all, ln)
		return ln
	}
	if !c.skipLatency {
		for _, r := range c.rates {
			var ls []line
			for i := range c.trials {
				ls = append(ls, add(fmt.Sprintf("LAT%g-%02d", r, i+1), hz(r)))
			}
			p.latency = append(p.latency, ls)
		}
	}
	if !c.skipFlaps {
		for i := range nFlaps {
			p.flapLines = append(p.flapLines, add(fmt.Sprintf("FLAP-%02d", i+1), hz(c.flapRate)))
		}
		p.outage = add("OUT-01", hz(c.flapRate))
	}
	return p
}

// run does the work; its deferred clean-up always runs, which is why
// errors come back here instead of exiting.
func run(ctx context.Context, c config) error {
	p := makePlan(c)
	var cl cleanups
	defer cl.run()
	dir, err := os.MkdirTemp("", "vantage-bench-detect-")
	if err != nil {
		return err
	}
	if c.keep {
		defer fmt.Printf("kept %s (vantage.log: controller and agent)\n", dir)
	} else {
		cl.add(func() { os.RemoveAll(dir) })
	}
	started := time.Now()
	l, err := newPopLab(&cl, c.net, len(p.all))
	if err != nil {
		return err
	}
	s, err := startStack(&cl, c, dir, l, p.all)
	if err != nil {
		return err
	}
	fmt.Printf("lab: PoP %s, %d customer lines in %s.0/24; controller and agent running (%s); waiting for every line to be up\n",
		l.pop, len(p.all), c.net, time.Since(started).Round(time.Millisecond))
	ids := make([]string, len(p.all))
	for i, ln := range p.all {
		ids[i] = ln.id
	}
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	err = s.api.allUp(wctx, ids)
	wcancel()
	if err != nil {
		return fmt.Errorf("lines not all up within a minute: %w", err)
	}

	var res results
	for i, lines := range p.latency {
		ts, err := runTrials(ctx, s, l, rateLabel(c.rates[i]), lines)
		if err != nil {
			return err
		}
		res.trials = append(res.trials, ts)
	}
	if len(res.trials) > 0 {
		fmt.Printf("latency: reading each trial's first failed round from the stored events (after the %s horizon)\n", s.horizon)
		if err := readFirstFails(ctx, s, res.trials); err != nil && !missed(ctx, err) {
			return err
		}
	}
	if !c.skipFlaps {
		if res.flaps, err = runFlaps(ctx, s, l, p.flapLines, p.outage, c.outage, p.all); err != nil {
			return err
		}
	}
	report(c, s, p, res)
	return nil
}

// results is what run measured, for report.
type results struct {
	trials [][]trial // per rate, as c.rates
	flaps  *flapRun
}

func parseRates(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r < 0.1 || r > 10 {
			return nil, fmt.Errorf("%q is not a rate between 0.1 and 10 Hz", f)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func hz(r float64) time.Duration {
	return time.Duration(float64(time.Second) / r).Round(time.Millisecond)
}

func rateLabel(r float64) string { return strconv.FormatFloat(r, 'g', -1, 64) + " Hz" }

func fatal(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench/detect: "+format+"\n", args...)
	os.Exit(code)
}
