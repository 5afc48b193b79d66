package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// trial is one detection-latency measurement on a line of its own, so no
// trial inherits a previous one's failure counts or dampening penalty.
type trial struct {
	ln      line
	down    time.Time     // the link was down (the command had returned)
	detect  time.Duration // down → incident open in the API; 0 if never
	recover time.Duration // link up → incident closed and line up; 0 if never
	// firstFail is the slot of the first failed round: the start of the
	// stored event, which is final only after the detector's horizon.
	firstFail time.Time
}

// bound is the trial's own lower bound: the k-th failed round's result
// exists at firstFail + line.floor(k), and nothing can be detected before
// it. Zero when firstFail is unknown.
func (t trial) bound(k int) time.Duration {
	if t.firstFail.IsZero() {
		return 0
	}
	return t.firstFail.Sub(t.down) + t.ln.floor(k)
}

// runTrials takes each line down in turn, times the incident's opening,
// brings the line back and waits for the incident to close before the
// next one, so at most one line is down at any time.
func runTrials(ctx context.Context, s *stack, l *popLab, label string, lines []line) ([]trial, error) {
	k := s.params.FailRounds
	var out []trial
	for i, ln := range lines {
		// A random wait of up to one interval puts the cut at a uniformly
		// random phase of the line's probe schedule.
		if err := sleep(ctx, ln.interval+rand.N(ln.interval)); err != nil {
			return out, err
		}
		t := trial{ln: ln}
		var err error
		if t.down, err = l.setLink(ln.cust, false); err != nil {
			return out, err
		}
		limit := time.Duration(k+1)*ln.interval + ln.timeout() + 20*time.Second
		err = pollUntil(ctx, t.down.Add(limit), 50*time.Millisecond, func() (bool, error) {
			return s.api.openIncidentFor(ctx, ln.id)
		})
		if err == nil {
			t.detect = time.Since(t.down)
		} else if !missed(ctx, err) {
			return out, err
		}
		up, err := l.setLink(ln.cust, true)
		if err != nil {
			return out, err
		}
		err = pollUntil(ctx, up.Add(30*time.Second), 50*time.Millisecond, func() (bool, error) {
			open, err := s.api.openIncidentFor(ctx, ln.id)
			if err != nil || open {
				return false, err
			}
			d, err := s.api.line(ctx, ln.id)
			return d.State == "up", err
		})
		if err == nil {
			t.recover = time.Since(up)
		} else if !missed(ctx, err) {
			return out, err
		}
		out = append(out, t)
		fmt.Printf("latency %s trial %2d/%d  %-8s incident open after %s  (k-miss bound %s-%s)  closed %s after link up\n",
			label, i+1, len(lines), ln.id, secs(t.detect), secs(lowBound(k, ln)), secs(highBound(k, ln)), secs(t.recover))
	}
	return out, nil
}

// lowBound and highBound bracket the earliest possible detection: the
// first failed round starts within one interval after the cut.
func lowBound(k int, ln line) time.Duration  { return ln.floor(k) }
func highBound(k int, ln line) time.Duration { return lowBound(k, ln) + ln.interval }

// readFirstFails fills each trial's firstFail from the line's stored
// event, waiting for the detector's horizon to seal them.
func readFirstFails(ctx context.Context, s *stack, perRate [][]trial) error {
	deadline := time.Now().Add(s.horizon + 30*time.Second)
	return pollUntil(ctx, deadline, time.Second, func() (bool, error) {
		missing := 0
		for _, trials := range perRate {
			if err := readSome(ctx, s, trials, &missing); err != nil {
				return false, err
			}
		}
		return missing == 0, nil
	})
}

// readSome is one pass of readFirstFails over one rate's trials.
func readSome(ctx context.Context, s *stack, trials []trial, missing *int) error {
	for i := range trials {
		t := &trials[i]
		if !t.firstFail.IsZero() {
			continue
		}
		d, err := s.api.line(ctx, t.ln.id)
		if err != nil {
			return err
		}
		for _, e := range d.Events {
			near := e.Start.After(t.down.Add(-t.ln.interval)) && e.Start.Before(t.down.Add(2*t.ln.interval))
			if (e.Kind == "flap" || e.Kind == "outage") && near {
				t.firstFail = e.Start
			}
		}
		if t.firstFail.IsZero() {
			*missing++
		}
	}
	return nil
}

// pollUntil is poll with a deadline of its own; it returns
// context.DeadlineExceeded when cond never held.
func pollUntil(ctx context.Context, deadline time.Time, step time.Duration, cond func() (bool, error)) error {
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	return poll(ctx, step, cond)
}

// missed tells a condition that never held before its own deadline (a
// finding to report) from a failure or ctrl-C (the end of the run).
func missed(ctx context.Context, err error) bool {
	return ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded)
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// secs formats a duration in seconds with millisecond resolution ("-" for
// zero, a trial that never got there).
func secs(d time.Duration) string {
	if d == 0 {
		return "    -  "
	}
	return fmt.Sprintf("%6.3fs", d.Seconds())
}
