package main

import (
	"context"
	"fmt"
	"time"
)

// lossRun is the loss run's and the traffic counts' figures, per mode.
type lossRun struct {
	modes   []bool
	lines   [][]line
	pct     float64
	traffic map[string][]count // "healthy", "loss", "failing" → per mode
	// The loss run: when, what nftables saw and dropped each way, and the
	// flaps, outages and incidents on the lossy lines (want none).
	start, end                         time.Time
	seenTo, lostTo, seenFrom, lostFrom uint64
	flaps, outages, incidents          []int // per mode
}

// count is echo requests forwarded to one mode's lines over d.
type count struct {
	packets uint64
	d       time.Duration
}

// perLineSecond is the probe traffic per line and second.
func (c count) perLineSecond(lines int) float64 {
	if c.d <= 0 || lines == 0 {
		return 0
	}
	return float64(c.packets) / float64(lines) / c.d.Seconds()
}

// runLossAndTraffic counts probe traffic with every line up, runs the loss
// run, then counts probe traffic with every one of these lines down.
// The lab's nftables table (setupNft) must be in place.
func runLossAndTraffic(ctx context.Context, c config, s *stack, l *popLab, perMode [][]line) (*lossRun, error) {
	r := &lossRun{modes: c.modes(), lines: perMode, pct: c.lossPct, traffic: map[string][]count{}}
	if !c.skipTraffic {
		fmt.Printf("traffic: counting echo requests to the %d loss lines, all up, for %s\n", len(perMode)*c.lossLines, c.trafficWindow)
		counts, err := r.countOver(ctx, l, c.trafficWindow, nil)
		if err != nil {
			return nil, err
		}
		r.traffic["healthy"] = counts
	}
	if !c.skipLoss {
		if err := r.runLoss(ctx, c, s, l); err != nil {
			return nil, err
		}
	}
	if !c.skipTraffic {
		fmt.Printf("traffic: counting echo requests to the same lines, all down, for %s\n", c.trafficWindow)
		var cut []line
		for _, ls := range perMode {
			cut = append(cut, ls...)
		}
		counts, err := r.countOver(ctx, l, c.trafficWindow, func(up bool) error {
			for _, ln := range cut {
				if _, err := l.setLink(ln.cust, up); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		r.traffic["failing"] = counts
	}
	return r, nil
}

// countOver reads each mode's echo-request counter, waits d and reads it
// again. With links set, it takes the lines down just after the first
// reading and up again after the second.
func (r *lossRun) countOver(ctx context.Context, l *popLab, d time.Duration, links func(up bool) error) ([]count, error) {
	names := make([]string, len(r.modes))
	for i, m := range r.modes {
		names[i] = "req_" + modeName(m)
	}
	before, err := l.counters(names...)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if links != nil {
		if err := links(false); err != nil {
			return nil, err
		}
	}
	if err := sleep(ctx, d); err != nil {
		return nil, err
	}
	after, err := l.counters(names...)
	if err != nil {
		return nil, err
	}
	elapsed := time.Since(start)
	if links != nil {
		if err := links(true); err != nil {
			return nil, err
		}
	}
	out := make([]count, len(names))
	for i, n := range names {
		out[i] = count{packets: after[n] - before[n], d: elapsed}
	}
	return out, nil
}

// runLoss drops c.lossPct of the packets each way for c.lossDur, counting
// traffic meanwhile, then waits for the detector's horizon and reads the
// lossy lines' events and the incidents that named them.
func (r *lossRun) runLoss(ctx context.Context, c config, s *stack, l *popLab) error {
	fmt.Printf("loss: %.3g%% of the packets each way to and from %d lines, for %s\n", c.lossPct, len(r.modes)*c.lossLines, c.lossDur)
	if err := l.startLoss(c.lossPct); err != nil {
		return err
	}
	r.start = time.Now()
	counts, err := r.countOver(ctx, l, c.lossDur, nil)
	stopErr := l.stopLoss()
	r.end = time.Now()
	if err != nil {
		return err
	}
	if stopErr != nil {
		return stopErr
	}
	r.traffic["loss"] = counts
	lc, err := l.counters("seen_to", "lost_to", "seen_from", "lost_from")
	if err != nil {
		return err
	}
	r.seenTo, r.lostTo, r.seenFrom, r.lostFrom = lc["seen_to"], lc["lost_to"], lc["seen_from"], lc["lost_from"]
	fmt.Printf("loss: done; waiting %s for the events to be final\n", s.horizon+5*time.Second)
	if err := sleep(ctx, s.horizon+5*time.Second); err != nil {
		return err
	}
	for _, ls := range r.lines {
		flaps, outages := 0, 0
		ids := map[string]bool{}
		for _, ln := range ls {
			ids[ln.id] = true
			d, err := s.api.line(ctx, ln.id)
			if err != nil {
				return err
			}
			for _, e := range inWindow(d.Events, r.start, r.end) {
				if e.Kind == "flap" {
					flaps++
				} else {
					outages++
				}
			}
		}
		n, err := s.api.incidentsSince(ctx, ids, r.start.Add(-2*time.Second))
		if err != nil {
			return err
		}
		r.flaps, r.outages, r.incidents = append(r.flaps, flaps), append(r.outages, outages), append(r.incidents, n)
	}
	return nil
}

// report prints the loss run and the traffic table.
func (r *lossRun) report() {
	if !r.start.IsZero() {
		fmt.Printf("\nrandom loss: %.3g%% each way by nftables in the PoP for %s, %d lines per mode at 1 Hz\n", r.pct, r.end.Sub(r.start).Round(time.Second), len(r.lines[0]))
		fmt.Printf("dropped to the lines %d/%d (%.2f%%), from the lines %d/%d (%.2f%%)\n",
			r.lostTo, r.seenTo, 100*ratio(r.lostTo, r.seenTo), r.lostFrom, r.seenFrom, 100*ratio(r.lostFrom, r.seenFrom))
		for i, m := range r.modes {
			fmt.Printf("%-8s flaps %d, outages %d, incidents %d\n", modeName(m), r.flaps[i], r.outages[i], r.incidents[i])
		}
	}
	if len(r.traffic) == 0 {
		return
	}
	fmt.Printf("\nprobe traffic: echo requests the PoP forwarded to the lines (nft counter), per line and second\n")
	fmt.Printf("%-16s %6s", "mode", "lines")
	phases := []string{"healthy", "loss", "failing"}
	for _, p := range phases {
		if _, ok := r.traffic[p]; ok {
			fmt.Printf(" %10s", p)
		}
	}
	fmt.Println()
	for i, m := range r.modes {
		fmt.Printf("%-16s %6d", modeName(m), len(r.lines[i]))
		for _, p := range phases {
			if cs, ok := r.traffic[p]; ok {
				fmt.Printf(" %10.3f", cs[i].perLineSecond(len(r.lines[i])))
			}
		}
		fmt.Println()
	}
	if len(r.modes) == 2 {
		fmt.Printf("%-16s %6s", "confirm / plain", "")
		for _, p := range phases {
			if cs, ok := r.traffic[p]; ok {
				fmt.Printf(" %10.3f", cs[1].perLineSecond(len(r.lines[1]))/cs[0].perLineSecond(len(r.lines[0])))
			}
		}
		fmt.Println()
	}
	fmt.Printf("plain probing's floor: 3 echo requests a round at 1 Hz = 3.000 per line and second; failing: every line down for the window from its cut\n")
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
