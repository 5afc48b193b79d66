package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

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
	if len(p.loss) > 0 {
		if err := l.setupNft(&cl, p.loss, c.modes()); err != nil {
			return err
		}
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
	for _, g := range p.latency {
		ts, err := runTrials(ctx, s, l, g.label, g.lines)
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
	if len(p.drops) > 0 {
		if res.drops, err = runDrops(ctx, s, l, p.drops, c.dropRepeats); err != nil {
			return err
		}
	}
	if len(p.loss) > 0 {
		if res.loss, err = runLossAndTraffic(ctx, c, s, l, p.loss); err != nil {
			return err
		}
	}
	return report(c, s, p, res)
}

// results is what run measured, for report.
type results struct {
	trials [][]trial // per latency group, as plan.latency
	flaps  *flapRun
	drops  *dropRun
	loss   *lossRun
}
