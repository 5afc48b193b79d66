package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// dropGroup is the lines of one drop length and mode.
type dropGroup struct {
	length  time.Duration
	confirm bool
	lines   []line
}

// dropRun is the drops' ground truth and what the controller stored.
type dropRun struct {
	groups     []dropGroup
	drops      [][]window // per group, every drop of its lines
	start, end time.Time
	detected   map[string][]event // line → stored flap and outage events in the run
}

// dropPeriod separates two drops of one line: the longest drop, the m
// rounds that end it, the detector's flap bookkeeping, and a margin.
func dropPeriod(groups []dropGroup) time.Duration {
	longest := time.Duration(0)
	for _, g := range groups {
		longest = max(longest, g.length)
	}
	return longest + 10*time.Second
}

// runDrops cuts every drop line repeats times for its group's length, each
// line once per period, the lines staggered over the period and each cut
// at a random phase of its probe schedule. Then it waits for the
// detector's horizon and reads every drop line's stored events.
func runDrops(ctx context.Context, s *stack, l *popLab, groups []dropGroup, repeats int) (*dropRun, error) {
	r := &dropRun{groups: groups, drops: make([][]window, len(groups))}
	type cut struct {
		at       time.Duration
		g, i     int // group, line
		down, up bool
	}
	var lines []struct{ g, i int }
	for g, grp := range groups {
		for i := range grp.lines {
			lines = append(lines, struct{ g, i int }{g, i})
		}
	}
	period := dropPeriod(groups)
	stagger := period / time.Duration(len(lines))
	var sched []cut
	for rep := range repeats {
		for k, li := range lines {
			at := time.Duration(rep)*period + time.Duration(k)*stagger + rand.N(time.Second)
			sched = append(sched, cut{at: at, g: li.g, i: li.i, down: true},
				cut{at: at + groups[li.g].length, g: li.g, i: li.i, up: true})
		}
	}
	slices.SortStableFunc(sched, func(a, b cut) int { return int(a.at - b.at) })
	open := map[[2]int]*window{}
	fmt.Printf("drops: %d drops on %d lines (%s apart per line), about %s\n", len(sched)/2, len(lines), period, time.Duration(repeats)*period)
	r.start = time.Now()
	for _, c := range sched {
		if err := sleep(ctx, time.Until(r.start.Add(c.at))); err != nil {
			return nil, err
		}
		ln := groups[c.g].lines[c.i]
		t, err := l.setLink(ln.cust, c.up)
		if err != nil {
			return nil, err
		}
		key := [2]int{c.g, c.i}
		if c.down {
			open[key] = &window{ln: ln, down: t}
			continue
		}
		w := open[key]
		w.up = t
		r.drops[c.g] = append(r.drops[c.g], *w)
	}
	r.end = time.Now()
	fmt.Printf("drops: done; waiting %s (the detector's horizon and a margin) for the events to be final\n", s.horizon+5*time.Second)
	if err := sleep(ctx, s.horizon+5*time.Second); err != nil {
		return nil, err
	}
	r.detected = map[string][]event{}
	for _, grp := range groups {
		for _, ln := range grp.lines {
			d, err := s.api.line(ctx, ln.id)
			if err != nil {
				return nil, err
			}
			r.detected[ln.id] = inWindow(d.Events, r.start, r.end)
		}
	}
	return r, nil
}

// inWindow keeps the flap and outage events that started between from and
// to (give or take 2 s), oldest first.
func inWindow(events []event, from, to time.Time) []event {
	var out []event
	for _, e := range events {
		if (e.Kind == "flap" || e.Kind == "outage") && e.Retracted.IsZero() && !e.Start.Before(from.Add(-2*time.Second)) && e.Start.Before(to.Add(2*time.Second)) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b event) int { return a.Start.Compare(b.Start) })
	return out
}

// dropScore is one group's figures.
type dropScore struct {
	truth, recalled int       // drops; those matched by exactly one stored flap
	twice           int       // drops matched by more than one stored flap
	extra, outages  int       // stored flaps matching no drop; stored outages
	durErr          []float64 // |stored - true| duration, seconds, over recalled drops
	bias            float64   // mean stored - true duration, seconds
	startErr        []float64 // stored start - cut, seconds, over recalled drops
	endErr          []float64 // stored end - link up, seconds, over recalled drops
}

// within is the share of xs at most lim.
func within(xs []float64, lim float64) float64 {
	n := 0
	for _, x := range xs {
		if x <= lim {
			n++
		}
	}
	return float64(n) / float64(max(len(xs), 1))
}

func (r *dropRun) score(g int) dropScore {
	var sc dropScore
	sc.truth = len(r.drops[g])
	for _, w := range r.drops[g] {
		m := matchFlaps(r.detected[w.ln.id], w)
		switch {
		case len(m) == 1:
			sc.recalled++
			d := m[0].DurationS - w.length().Seconds()
			sc.bias += d
			sc.durErr = append(sc.durErr, abs(d))
			sc.startErr = append(sc.startErr, m[0].Start.Sub(w.down).Seconds())
			sc.endErr = append(sc.endErr, m[0].End.Sub(w.up).Seconds())
		case len(m) > 1:
			sc.twice++
		}
	}
	if sc.recalled > 0 {
		sc.bias /= float64(sc.recalled)
	}
	for _, ln := range r.groups[g].lines {
		for _, e := range r.detected[ln.id] {
			if e.Kind == "outage" {
				sc.outages++
				continue
			}
			if !slices.ContainsFunc(r.drops[g], func(w window) bool {
				return w.ln.id == ln.id && len(matchFlaps([]event{e}, w)) > 0
			}) {
				sc.extra++
			}
		}
	}
	return sc
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// reportDrops prints recall and duration error per drop length and mode.
func reportDrops(r *dropRun) {
	fmt.Printf("\nshort drops at 1 Hz, run %s: `ip link set` down, then up after the drop length\n", r.end.Sub(r.start).Round(time.Second))
	fmt.Printf("%-6s %-8s %-22s %8s %7s %6s %6s %8s   %-30s %s\n", "drop", "mode", "probe", "recalled", "recall", "twice", "extra", "outages", "|stored-true| p50 / p95 / max", "mean stored-true")
	for g, grp := range r.groups {
		sc := r.score(g)
		ln := grp.lines[0]
		probe := fmt.Sprintf("%s/%s x3 %s", ln.interval, ln.timeout(), ln.packetGap())
		if ln.confirm {
			probe += fmt.Sprintf(" +%s", ln.every)
		}
		fmt.Printf("%-6s %-8s %-22s %4d/%-3d %6.0f%% %6d %6d %8d   %6.3f / %6.3f / %6.3f s       %+.3f s\n",
			grp.length, modeName(grp.confirm), probe, sc.recalled, sc.truth, 100*float64(sc.recalled)/float64(max(sc.truth, 1)),
			sc.twice, sc.extra, sc.outages, pct(sc.durErr, 50), pct(sc.durErr, 95), pct(sc.durErr, 100), sc.bias)
	}
	fmt.Printf("\nduration and start error of the recalled drops (stored start: the first failed slot's round)\n")
	fmt.Printf("%-6s %-8s %-32s %-9s %-30s %s\n", "drop", "mode", "|stored-true| p50 / p90 / max", "<=0.3 s", "start-cut p50 / p90 / max", "end-up p50 / p90 / max")
	for g, grp := range r.groups {
		sc := r.score(g)
		fmt.Printf("%-6s %-8s %6.3f / %6.3f / %6.3f s     %5.0f%%    %+6.3f / %+6.3f / %+6.3f s     %+6.3f / %+6.3f / %+6.3f s\n",
			grp.length, modeName(grp.confirm), pct(sc.durErr, 50), pct(sc.durErr, 90), pct(sc.durErr, 100), 100*within(sc.durErr, 0.3),
			pct(sc.startErr, 50), pct(sc.startErr, 90), pct(sc.startErr, 100), pct(sc.endErr, 50), pct(sc.endErr, 90), pct(sc.endErr, 100))
	}
	fmt.Printf("probe: interval/timeout x echo requests and their gap (+ the confirmation interval);\n")
	fmt.Printf("recalled: drops matched by exactly one stored flap (overlapping the drop widened by one interval each side);\n")
	fmt.Printf("twice: drops matched by more than one; extra: stored flaps on these lines matching no drop; outages: stored outages on them\n")
}
