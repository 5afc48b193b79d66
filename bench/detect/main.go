// Command detect measures the line-health detector end to end, in real
// network namespaces: how long after a customer link goes down the incident
// is open in the controller's API, how well flaps and short drops are
// counted, that random loss makes no flap, and what confirmation probing
// costs in probe traffic.
//
//	go run ./bench/detect                 # everything below; about 25 min (the loss run alone is 10)
//	go run ./bench/detect -short          # the same, shorter: 6 trials, 2 drops a line, 1-min loss run
//	go run ./bench/detect -skip-flaps -skip-drops -skip-loss -skip-traffic -trials 20 -rates 1,2,5
//
// It needs root. It builds internal/e2e's PoP lab: a PoP namespace with a
// bridge, one customer namespace per line on a bridge port (in
// 198.18.124.0/24 by default, -net), the host routed to them through the
// PoP's uplink. In this process it runs the real controller (embedded NATS,
// api_auth off, a short detector horizon, -horizon) writing to InfluxDB
// 1.8.10 started by scripts/influxdb.sh, and the real agent pinging every
// line (3 echo requests a round, timeout 80% of the interval, the agent's
// defaults). Lines come in two modes: plain probes and (unless
// -confirm=false) probes with confirmation probing, set up exactly as the
// controller derives a managed agent's line probe (200-ms round timeout, 3
// echo requests 10 ms apart, confirm every 200 ms, k rounds, watch 60 s;
// derived.go), each setting overridable by -confirm-timeout, -confirm-gap,
// -confirm-interval and -confirm-rounds. Both modes run side by side
// in the same run, so each comparison is against a reference measured
// under the same load.
//
//   - Detection latency: for each rate (and each -confirm-rates rate with
//     confirmation), -trials lines each taken down once (`ip link set
//     <port> down` on the PoP's side), at a random phase of the probe
//     schedule; the time until GET /api/v1/incidents?state=open lists the
//     line (polled every 50 ms), next to the k-misses floor of plain
//     probing. Then the link comes up and the next trial waits for the
//     incident to close. Each trial has a line of its own, so no failure
//     count or dampening penalty carries over.
//   - Flap accuracy: issue 4's schedule at -flap-rate: ten flaps of 2 to 20 s
//     on ten lines and one -outage on another. Ground truth is when this
//     program took the links down and up; detected is each line's stored
//     events (GET /api/v1/lines/{id}).
//   - Short drops: -drops (1 s, 2 s, 5 s) at 1 Hz, -drop-repeats times on
//     each of -drop-lines lines per length and mode, at random phases:
//     recall per length (a drop matched by exactly one flap), extra
//     flaps, and the stored duration's error.
//   - Random loss: -loss percent of the packets each way dropped by
//     nftables in the PoP namespace, on -loss-lines lines per mode, for
//     -loss-duration: flaps and incidents on those lines (want none).
//   - Probe traffic: echo requests the PoP forwarded to those lines (nft
//     counters), per mode, over -traffic-window with every line up and
//     again with every one of them down.
//
// Everything it made (namespaces, veths, the route, the nftables table in
// its PoP namespace, InfluxDB, its files) is removed on exit, ctrl-C and
// -timeout included. Timings are reported, never judged.
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
	trials       int
	rates        []float64
	confirmRates []float64
	// confirm turns on the confirmation mode: lines probed as probe says
	// (the controller's derived line probe unless flags override it).
	confirm                bool
	probe                  confirmProbe
	flapRate               float64
	outage                 time.Duration
	horizon                time.Duration
	batchDelay             time.Duration
	net                    string
	timeout                time.Duration
	skipLatency, skipFlaps bool
	drops                  []time.Duration
	dropLines, dropRepeats int
	skipDrops              bool
	lossPct                float64
	lossDur                time.Duration
	lossLines              int
	skipLoss               bool
	trafficWindow          time.Duration
	skipTraffic            bool
	keep                   bool
}

// nFlaps is the schedule's flap count (durations 2, 4, … 20 s).
const nFlaps = 10

func main() {
	var c config
	rates := flag.String("rates", "1,5", "probe rates in Hz for the latency trials, comma-separated (0.1 to 10)")
	confirmRates := flag.String("confirm-rates", "1", "probe rates in Hz for the latency trials with confirmation (only with -confirm)")
	flag.BoolVar(&c.confirm, "confirm", true, "also run lines whose probes confirm a failed round (the agent's confirm block); -confirm=false: plain probes only")
	confirmEvery := flag.Duration("confirm-interval", 0, "confirm.interval of the confirming probes (0: as the controller derives it, 200ms)")
	confirmRounds := flag.Int("confirm-rounds", 0, "confirm.rounds of the confirming probes (0: as the controller derives it, the detector's k)")
	confirmTimeout := flag.Duration("confirm-timeout", 0, "round timeout of the confirming probes (0: as the controller derives it, the confirm interval; confirmation starts on suspicion, agent/schedule/suspect.go, or when a round has failed)")
	confirmGap := flag.Duration("confirm-gap", 0, "gap between a confirming round's 3 echo requests (0: as the controller derives it, 10ms)")
	flag.IntVar(&c.trials, "trials", 12, "latency trials per rate and mode (one line each)")
	flag.Float64Var(&c.flapRate, "flap-rate", 1, "probe rate in Hz of the flap schedule's lines")
	flag.DurationVar(&c.outage, "outage", 90*time.Second, "length of the schedule's outage, at least 65s (flaps stay 2-20 s)")
	flag.DurationVar(&c.horizon, "horizon", 5*time.Second, "controller detector.horizon: stored events are final this long after they end (default in production: 15m)")
	flag.DurationVar(&c.batchDelay, "batch-delay", 0, "agent publish.batch_delay (0: the agent's default)")
	flag.StringVar(&c.net, "net", "198.18.124", "the lab's /24 inside 198.18.0.0/15, without the last octet")
	flag.DurationVar(&c.timeout, "timeout", 45*time.Minute, "stop (and clean up) after this long in all")
	flag.BoolVar(&c.skipLatency, "skip-latency", false, "skip the detection-latency trials")
	flag.BoolVar(&c.skipFlaps, "skip-flaps", false, "skip the flap schedule")
	drops := flag.String("drops", "1s,2s,5s", "lengths of the short drops at 1 Hz, comma-separated (0.2s to 30s)")
	flag.IntVar(&c.dropLines, "drop-lines", 5, "lines per drop length and mode")
	flag.IntVar(&c.dropRepeats, "drop-repeats", 4, "drops per line")
	flag.BoolVar(&c.skipDrops, "skip-drops", false, "skip the short drops")
	flag.Float64Var(&c.lossPct, "loss", 1, "random loss in percent of the packets each way in the loss run (0.1 to 50)")
	flag.DurationVar(&c.lossDur, "loss-duration", 10*time.Minute, "length of the loss run")
	flag.IntVar(&c.lossLines, "loss-lines", 10, "lines per mode in the loss run and the traffic counts")
	flag.BoolVar(&c.skipLoss, "skip-loss", false, "skip the loss run")
	flag.DurationVar(&c.trafficWindow, "traffic-window", 30*time.Second, "how long each traffic count runs (healthy, then failing)")
	flag.BoolVar(&c.skipTraffic, "skip-traffic", false, "skip the traffic counts")
	short := flag.Bool("short", false, "a shorter run: -trials 6 -drop-repeats 2 -loss-duration 1m -traffic-window 15s unless given")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary directory (controller and agent log, InfluxDB)")
	flag.Parse()
	if *short {
		shorten()
	}

	var err error
	if c.rates, err = parseRates(*rates); err != nil {
		fatal(2, "-rates: %v", err)
	}
	if c.confirm {
		if c.confirmRates, err = parseRates(*confirmRates); err != nil {
			fatal(2, "-confirm-rates: %v", err)
		}
		derived, err := derivedConfirmProbe()
		if err != nil {
			fatal(2, "%v", err)
		}
		if c.probe, err = derived.override(*confirmTimeout, *confirmGap, *confirmEvery, *confirmRounds); err != nil {
			fatal(2, "%v", err)
		}
	}
	if c.drops, err = parseDrops(*drops); err != nil {
		fatal(2, "-drops: %v", err)
	}
	switch {
	case c.trials < 1:
		fatal(2, "-trials must be at least 1")
	case c.flapRate < 0.1 || c.flapRate > 10:
		fatal(2, "-flap-rate must be between 0.1 and 10 Hz")
	case c.outage < 65*time.Second:
		fatal(2, "-outage must be at least 65s: an outage lasts longer than the 60-s flap threshold")
	case c.horizon < time.Second || c.horizon > 5*time.Minute:
		fatal(2, "-horizon must be between 1s and 5m")
	case c.dropLines < 1 || c.dropRepeats < 1:
		fatal(2, "-drop-lines and -drop-repeats must be at least 1")
	case c.lossPct < 0.1 || c.lossPct > 50:
		fatal(2, "-loss must be between 0.1 and 50 percent")
	case c.lossDur < 10*time.Second || c.lossLines < 1:
		fatal(2, "-loss-duration must be at least 10s and -loss-lines at least 1")
	case c.trafficWindow < 5*time.Second:
		fatal(2, "-traffic-window must be at least 5s")
	case c.skipLatency && c.skipFlaps && c.skipDrops && c.skipLoss && c.skipTraffic:
		fatal(2, "nothing to do: every part is skipped")
	}
	if n := len(makePlan(c).all); n > maxLines {
		fatal(2, "the plan needs %d lines and the lab holds %d: lower -trials, -drop-lines or -loss-lines, or skip a part", n, maxLines)
	}
	if os.Geteuid() != 0 {
		fatal(1, "needs root: it makes network namespaces and veth links, sends raw ICMP and sets nftables rules in its namespace")
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

// shorten sets -short's values on the flags not given explicitly.
func shorten() {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, v := range map[string]string{"trials": "6", "drop-repeats": "2", "loss-duration": "1m", "traffic-window": "15s"} {
		if !set[name] {
			_ = flag.Set(name, v)
		}
	}
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

func parseDrops(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil || d < 200*time.Millisecond || d > 30*time.Second {
			return nil, fmt.Errorf("%q is not a drop length between 0.2s and 30s", f)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
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
