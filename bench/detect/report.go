package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// report prints the summary: the figures to quote, with what they depend on.
// It ends with the BENCH-SUMMARY lines (summary.go); an error is a summary
// that could not be made.
func report(c config, s *stack, p plan, res results) error {
	k := s.params.FailRounds
	fmt.Printf("\n--- bench/detect summary ---\n")
	fmt.Printf("command:  go run ./bench/detect %s\n", flagsSet())
	fmt.Printf("machine:  %s\n", machine())
	fmt.Printf("detector: k=%d (fail rounds), m=%d (recover rounds), min_flap_rounds=%d, flap_threshold=%s (controller defaults);\n",
		k, s.params.RecoverRounds, s.params.MinFlapRounds, s.params.FlapThreshold)
	fmt.Printf("          detector.horizon=%s set by this program (default 15m): stored events are final that long after they end\n", s.horizon)
	fmt.Printf("pipeline: agent (batch_delay %s, a failed round after an answered one flushed at once) -> embedded JetStream ->\n", s.batchDelay)
	fmt.Printf("          ingest pull (returns with the first message) -> detector -> incident in SQLite -> API\n")
	if c.confirm {
		fmt.Printf("confirm:  confirming probes: %s\n", c.probe)
	} else {
		fmt.Printf("confirm:  none (-confirm not given): plain probes only\n")
	}

	if len(res.trials) > 0 {
		fmt.Printf("\ndetection latency: link down -> line listed by GET /api/v1/incidents?state=open (polled every 50 ms); seconds\n")
		fmt.Printf("bound: the k-th failed round's result exists at (first failed slot - cut) + (k-1)*interval + timeout,\n")
		fmt.Printf("       and the first failed slot follows the cut by 0..1 interval: bound in [(k-1)*I + timeout, k*I + timeout)\n")
		fmt.Printf("excess: latency minus each trial's own bound (its first failed slot read from the stored event)\n")
		fmt.Printf("%-14s %-20s %6s %7s %7s %7s   %-15s %-23s %-15s\n", "rate", "probe", "n", "p50", "p95", "max", "bound", "excess p50 / p95 / max", "closed p50/max")
		for i, ts := range res.trials {
			ln := p.latency[i].lines[0]
			var lat, exc, rec []float64
			for _, t := range ts {
				if t.detect > 0 {
					lat = append(lat, t.detect.Seconds())
					if b := t.bound(k); b > 0 {
						exc = append(exc, (t.detect - b).Seconds())
					}
				}
				if t.recover > 0 {
					rec = append(rec, t.recover.Seconds())
				}
			}
			probe := fmt.Sprintf("%s/%s x3 %s", ln.interval, ln.timeout(), ln.packetGap())
			fmt.Printf("%-14s %-20s %2d/%-3d %7.3f %7.3f %7.3f   %5.3f-%5.3f    %5.3f / %5.3f / %5.3f   %5.3f / %5.3f\n",
				p.latency[i].label, probe, len(lat), len(ts), pct(lat, 50), pct(lat, 95), pct(lat, 100),
				lowBound(k, ln).Seconds(), highBound(k, ln).Seconds(), pct(exc, 50), pct(exc, 95), pct(exc, 100),
				pct(rec, 50), pct(rec, 100))
			if len(exc) < len(lat) {
				fmt.Printf("       (%d trials without a stored event: no excess for them)\n", len(lat)-len(exc))
			}
		}
		if c.confirm {
			fmt.Printf("+confirm rows: bound = slot timeout + (k-2)*confirm interval + a confirmation round's timeout after the\n")
			fmt.Printf("first failed slot; their latency against\n")
			fmt.Printf("plain probing's k-miss floor at the same rate (%s at 1 Hz) is the gain\n", floorRange(k, time.Second))
		}
		fmt.Printf("probe: interval/timeout x echo requests per round and their gap; n: trials detected / run;\n")
		fmt.Printf("percentiles interpolate linearly between ranks; closed: link up -> incident closed and line up\n")
	}
	if res.flaps != nil {
		reportFlaps(res.flaps)
	}
	if res.drops != nil {
		reportDrops(res.drops)
	}
	if res.loss != nil {
		res.loss.report()
	}
	fmt.Println()
	return emitSummaries(os.Stdout, summaries(p, k, res))
}

func reportFlaps(r *flapRun) {
	sc := r.score()
	ln := r.outage.ln
	fmt.Printf("\nflaps at %s (interval %s, timeout %s): %d flaps of 2-20 s on %d lines, one %.0f-s outage, run %s\n",
		rateLabel(float64(time.Second)/float64(ln.interval)), ln.interval, ln.timeout(), len(r.flaps), len(r.flaps),
		r.outage.length().Seconds(), r.end.Sub(r.start).Round(time.Second))
	fmt.Printf("%-8s %8s   %s\n", "line", "true s", "stored events overlapping it (kind start-offset duration)")
	for _, w := range append(slices.Clone(r.flaps), r.outage) {
		var evs []string
		for _, e := range r.detected[w.ln.id] {
			evs = append(evs, fmt.Sprintf("%s %+.3fs %.3fs", e.Kind, e.Start.Sub(w.down).Seconds(), e.DurationS))
		}
		if len(evs) == 0 {
			evs = []string{"none"}
		}
		fmt.Printf("%-8s %8.3f   %s\n", w.ln.id, w.length().Seconds(), strings.Join(evs, "; "))
	}
	for id, evs := range r.detected {
		if id != ln.id && !slices.ContainsFunc(r.flaps, func(w window) bool { return w.ln.id == id }) {
			fmt.Printf("%-8s untouched line with %d event(s): false positives\n", id, len(evs))
		}
	}
	fmt.Printf("recall:    %d/%d true flaps matched by exactly one stored flap\n", sc.recalled, sc.truth)
	fmt.Printf("precision: %d/%d stored flaps during the run match a true flap\n", sc.precise, sc.detected)
	fmt.Printf("duration:  |stored - true| median %.3f s, max %.3f s; mean stored - true %+.3f s (over the %d recalled flaps)\n",
		pct(sc.durErr, 50), pct(sc.durErr, 100), sc.bias, len(sc.durErr))
	fmt.Printf("start:     stored start - cut median %+.3f s, range %+.3f..%+.3f s\n",
		pct(sc.startOffset, 50), pct(sc.startOffset, 0), pct(sc.startOffset, 100))
	fmt.Printf("ground truth: when this program's `ip link set` commands returned; a stored flap matches a true one on\n")
	fmt.Printf("its line if it overlaps the window widened by one interval each side\n")
}

// floorRange is plain probing's k-miss floor at an interval, as text.
func floorRange(k int, interval time.Duration) string {
	ln := line{interval: interval, slotTO: plainTimeout(interval)}
	return fmt.Sprintf("%.2f-%.2f s", lowBound(k, ln).Seconds(), highBound(k, ln).Seconds())
}

// pct is the p-th percentile, interpolating linearly between ranks; NaN
// for no values.
func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	r := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(r))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (r-float64(lo))*(s[lo+1]-s[lo])
}

// flagsSet renders the flags given on the command line, to repeat the run.
func flagsSet() string {
	var parts []string
	flag.Visit(func(f *flag.Flag) { parts = append(parts, fmt.Sprintf("-%s=%s", f.Name, f.Value)) })
	return strings.Join(parts, " ")
}

// machine names the cores, CPU model, kernel and load, since these
// timings depend on a shared machine's other work.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	kernel, _ := exec.Command("uname", "-r").Output()
	load, _ := os.ReadFile("/proc/loadavg")
	return fmt.Sprintf("%d cores (%s), Linux %s, %s, load average %s at the end",
		runtime.NumCPU(), model, strings.TrimSpace(string(kernel)), runtime.Version(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
}
