package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// window is when a link really was down, by this program's clock: the
// moments its `ip link set` commands had returned.
type window struct {
	ln       line
	down, up time.Time
}

func (w window) length() time.Duration { return w.up.Sub(w.down) }

// flapRun is the schedule's ground truth and what the controller stored.
type flapRun struct {
	flaps    []window
	outage   window
	start    time.Time
	end      time.Time
	detected map[string][]event // line → stored flap and outage events in the run
}

// change is one scheduled link change.
type change struct {
	at   time.Duration
	idx  int // into flap lines; len(flap lines) is the outage line
	down bool
}

// flapSchedule is issue 4's lab schedule (as internal/e2e's PoP lab test
// runs it): flap i starts at 2+7i s and lasts 2+2i s (2 to 20 s), each on
// a line of its own, while the outage line is down from 0 to outage.
func flapSchedule(n int, outage time.Duration) []change {
	s := []change{{0, n, true}, {outage, n, false}}
	for i := range n {
		start := time.Duration(2+7*i) * time.Second
		s = append(s, change{start, i, true}, change{start + time.Duration(2+2*i)*time.Second, i, false})
	}
	slices.SortStableFunc(s, func(a, b change) int { return int(a.at - b.at) })
	return s
}

// runFlaps plays the schedule on flapLines and outageLine, waits for the
// detector to seal the events, and reads the stored events of every line
// (a flap on a line nobody touched is a false positive too).
func runFlaps(ctx context.Context, s *stack, l *popLab, flapLines []line, outageLine line, outage time.Duration, all []line) (*flapRun, error) {
	r := &flapRun{flaps: make([]window, len(flapLines)), outage: window{ln: outageLine}}
	at := func(i int) *window {
		if i == len(flapLines) {
			return &r.outage
		}
		return &r.flaps[i]
	}
	for i, ln := range flapLines {
		r.flaps[i].ln = ln
	}
	r.start = time.Now()
	for _, c := range flapSchedule(len(flapLines), outage) {
		if err := sleep(ctx, time.Until(r.start.Add(c.at))); err != nil {
			return nil, err
		}
		w := at(c.idx)
		t, err := l.setLink(w.ln.cust, !c.down)
		if err != nil {
			return nil, err
		}
		if c.down {
			w.down = t
			continue
		}
		w.up = t
		fmt.Printf("flaps +%5.1fs  %-8s was down %6.3fs\n", t.Sub(r.start).Seconds(), w.ln.id, w.length().Seconds())
	}
	r.end = time.Now()

	// Final events trail the horizon: wait until every touched line has
	// one, then one more horizon for anything else to be sealed.
	fmt.Printf("flaps: schedule done; waiting for the detector's %s horizon to seal the events\n", s.horizon)
	touched := append(slices.Clone(flapLines), outageLine)
	err := pollUntil(ctx, time.Now().Add(s.horizon+30*time.Second), time.Second, func() (bool, error) {
		for _, ln := range touched {
			d, err := s.api.line(ctx, ln.id)
			if err != nil {
				return false, err
			}
			if len(r.inRun(d.Events)) == 0 {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil && !missed(ctx, err) {
		return nil, err
	}
	if err := sleep(ctx, s.horizon+2*time.Second); err != nil {
		return nil, err
	}
	r.detected = map[string][]event{}
	for _, ln := range all {
		d, err := s.api.line(ctx, ln.id)
		if err != nil {
			return nil, err
		}
		if ev := r.inRun(d.Events); len(ev) > 0 {
			r.detected[ln.id] = ev
		}
	}
	return r, nil
}

// inRun keeps the flap and outage events that started during the run.
func (r *flapRun) inRun(events []event) []event { return inWindow(events, r.start, r.end) }

// matches are the detected flaps on w's line that overlap w (matchFlaps).
func (r *flapRun) matches(w window) []event { return matchFlaps(r.detected[w.ln.id], w) }

// matchFlaps keeps the flaps of evs that overlap w, widened by one probe
// interval on each side (a round's slot may precede the cut).
func matchFlaps(evs []event, w window) []event {
	var out []event
	slack := w.ln.interval
	for _, e := range evs {
		end := e.End
		if end.IsZero() {
			end = e.Start.Add(time.Duration(e.DurationS * float64(time.Second)))
		}
		if e.Kind == "flap" && e.Start.Before(w.up.Add(slack)) && end.After(w.down.Add(-slack)) {
			out = append(out, e)
		}
	}
	return out
}

// flapScore is recall, precision and the duration error of the flaps.
type flapScore struct {
	truth, recalled     int       // true flaps; those matched by exactly one detected flap
	detected, precise   int       // detected flaps; those matching a true flap
	durErr, startOffset []float64 // seconds, over recalled flaps: |detected-true| and detected start - cut
	bias                float64   // mean detected - true duration, seconds, over recalled flaps
}

func (r *flapRun) score() flapScore {
	var sc flapScore
	sc.truth = len(r.flaps)
	for _, w := range r.flaps {
		m := r.matches(w)
		if len(m) != 1 {
			continue
		}
		sc.recalled++
		d := m[0].DurationS - w.length().Seconds()
		sc.bias += d
		if d < 0 {
			d = -d
		}
		sc.durErr = append(sc.durErr, d)
		sc.startOffset = append(sc.startOffset, m[0].Start.Sub(w.down).Seconds())
	}
	if sc.recalled > 0 {
		sc.bias /= float64(sc.recalled)
	}
	for id, evs := range r.detected {
		for _, e := range evs {
			if e.Kind != "flap" {
				continue
			}
			sc.detected++
			for _, w := range r.flaps {
				if w.ln.id == id && slices.ContainsFunc(r.matches(w), func(m event) bool { return m.Start.Equal(e.Start) }) {
					sc.precise++
					break
				}
			}
		}
	}
	return sc
}
