package main

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/vantage-net/vantage/internal/benchdoc"
)

// summaries are the run's figures for docs/BENCHMARKS.md (internal/benchdoc):
// one BENCH-SUMMARY per part that ran, each filling its own block
// (detect-latency, detect-drops, detect-flaps, detect-loss,
// detect-traffic), so a run of some parts leaves the others' blocks alone.
func summaries(p plan, k int, res results) []benchdoc.Summary {
	var out []benchdoc.Summary
	if len(res.trials) > 0 {
		s := benchdoc.New("detect")
		s.Bench = "detect-latency"
		var plain1 float64 // plain probing's 1-Hz floor, upper end: the reference of the confirming rows
		for _, g := range p.latency {
			if ln := g.lines[0]; !ln.confirm && ln.interval == time.Second {
				plain1 = highBound(k, ln).Seconds()
			}
		}
		for i, ts := range res.trials {
			g := p.latency[i]
			ln := g.lines[0]
			lat, exc := latencies(ts, k)
			if len(lat) == 0 {
				continue
			}
			f := benchdoc.Figure{Name: fmt.Sprintf("link down → open incident p95, %s (%d trials)", g.label, len(lat)),
				Value: round3(pct(lat, 95)), Unit: "s",
				Reference: "this probe's own floor, upper end", RefValue: benchdoc.Ref(round3(highBound(k, ln).Seconds()))}
			if ln.confirm && plain1 > 0 {
				f.Reference, f.RefValue, f.Goal = "plain probing's 3-miss floor at 1 Hz, upper end", benchdoc.Ref(round3(plain1)), "≤ 1.5 s"
			}
			s.Figures = append(s.Figures, f)
			if len(exc) > 0 {
				s.Figures = append(s.Figures, benchdoc.Figure{Name: fmt.Sprintf("excess over each trial's own floor p95, %s", g.label),
					Value: round3(pct(exc, 95)), Unit: "s", Goal: "≤ 0.2 s"})
			}
		}
		if len(s.Figures) > 0 {
			out = append(out, s)
		}
	}
	if res.drops != nil {
		s := benchdoc.New("detect")
		s.Bench = "detect-drops"
		r := res.drops
		plain := map[time.Duration]dropScore{}
		for g, grp := range r.groups {
			if !grp.confirm {
				plain[grp.length] = r.score(g)
			}
		}
		for g, grp := range r.groups {
			sc := r.score(g)
			label := fmt.Sprintf("%s drops, %s", grp.length, modeName(grp.confirm))
			f := benchdoc.Figure{Name: fmt.Sprintf("%s: counted once (%d/%d)", label, sc.recalled, sc.truth),
				Value: round3(share(sc.recalled, sc.truth)), Unit: "share"}
			if grp.length == time.Second {
				f.Goal = "≥ 0.90 (with confirmation)"
			} else {
				f.Goal = "1 (with confirmation)"
			}
			if ps, ok := plain[grp.length]; ok && grp.confirm {
				f.Reference = fmt.Sprintf("plain probing, same drop length: %d/%d", ps.recalled, ps.truth)
				if ps.recalled > 0 {
					f.RefValue = benchdoc.Ref(round3(share(ps.recalled, ps.truth)))
				}
			}
			s.Figures = append(s.Figures, f,
				benchdoc.Figure{Name: label + ": counted twice, extra flaps, outages", Value: float64(sc.twice + sc.extra + sc.outages), Goal: "0"})
			if len(sc.durErr) > 0 {
				for _, q := range []struct {
					name string
					p    float64
				}{{"median", 50}, {"p90", 90}, {"max", 100}} {
					s.Figures = append(s.Figures, benchdoc.Figure{Name: fmt.Sprintf("%s: duration error (stored − true, absolute) %s", label, q.name),
						Value: round3(pct(sc.durErr, q.p)), Unit: "s"})
				}
				s.Figures = append(s.Figures, benchdoc.Figure{Name: label + ": duration within 0.3 s", Value: round3(within(sc.durErr, 0.3)),
					Unit: "share", Goal: "1 (issue; not reachable at 1 Hz, see below)"})
			}
		}
		out = append(out, s)
	}
	if res.flaps != nil {
		out = append(out, flapSummary(res.flaps))
	}
	if l := res.loss; l != nil && !l.start.IsZero() {
		out = append(out, lossSummary(l))
	}
	if l := res.loss; l != nil && len(l.traffic) > 0 {
		out = append(out, trafficSummary(l))
	}
	return out
}

// flapSummary: the lab schedule's recall, precision and duration error.
func flapSummary(r *flapRun) benchdoc.Summary {
	sc := r.score()
	s := benchdoc.New("detect")
	s.Bench = "detect-flaps"
	s.Figures = []benchdoc.Figure{
		{Name: fmt.Sprintf("flaps of 2-20 s counted once (%d/%d)", sc.recalled, sc.truth), Value: round3(share(sc.recalled, sc.truth)), Unit: "share", Goal: "1"},
		{Name: fmt.Sprintf("stored flaps matching a true flap (%d/%d)", sc.precise, sc.detected), Value: round3(share(sc.precise, max(sc.detected, 1))), Unit: "share", Goal: "1"},
		{Name: "duration error (stored − true, absolute) median", Value: round3(pct(sc.durErr, 50)), Unit: "s"},
		{Name: "duration error (stored − true, absolute) max", Value: round3(pct(sc.durErr, 100)), Unit: "s", Goal: "≤ one interval"},
	}
	return s
}

// lossSummary: what random loss made of the lossy lines, per mode (want
// nothing), and the loss nftables really applied.
func lossSummary(r *lossRun) benchdoc.Summary {
	s := benchdoc.New("detect")
	s.Bench = "detect-loss"
	s.Figures = append(s.Figures,
		benchdoc.Figure{Name: "packets dropped to the lines", Value: round3(100 * ratio(r.lostTo, r.seenTo)), Unit: "%", Reference: "the loss set (-loss)", RefValue: benchdoc.Ref(r.pct)},
		benchdoc.Figure{Name: "packets dropped from the lines", Value: round3(100 * ratio(r.lostFrom, r.seenFrom)), Unit: "%", Reference: "the loss set (-loss)", RefValue: benchdoc.Ref(r.pct)})
	for i, m := range r.modes {
		s.Figures = append(s.Figures, benchdoc.Figure{
			Name:  fmt.Sprintf("%s: flaps, outages and incidents on %d lines over %s", modeName(m), len(r.lines[i]), r.end.Sub(r.start).Round(time.Second)),
			Value: float64(r.flaps[i] + r.outages[i] + r.incidents[i]), Goal: "0"})
	}
	return s
}

// trafficSummary: echo requests per line and second, per phase and mode;
// confirming lines against plain ones counted in the same window.
func trafficSummary(r *lossRun) benchdoc.Summary {
	s := benchdoc.New("detect")
	s.Bench = "detect-traffic"
	for _, p := range []string{"healthy", "loss", "failing"} {
		cs, ok := r.traffic[p]
		if !ok {
			continue
		}
		plain := 0.0
		for i, m := range r.modes {
			v := cs[i].perLineSecond(len(r.lines[i]))
			f := benchdoc.Figure{Name: fmt.Sprintf("echo requests per line and second, %s, %s", p, modeName(m)), Value: round3(v), Unit: "/s"}
			if !m {
				plain = v
			} else if plain > 0 {
				f.Reference, f.RefValue = "plain probing, same phase and window", benchdoc.Ref(round3(plain))
			}
			s.Figures = append(s.Figures, f)
		}
	}
	return s
}

// latencies are a group's detection latencies and excesses over each
// trial's own floor, in seconds.
func latencies(ts []trial, k int) (lat, exc []float64) {
	for _, t := range ts {
		if t.detect > 0 {
			lat = append(lat, t.detect.Seconds())
			if b := t.bound(k); b > 0 {
				exc = append(exc, (t.detect - b).Seconds())
			}
		}
	}
	return lat, exc
}

func share(n, of int) float64 { return float64(n) / float64(max(of, 1)) }

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// emitSummaries prints the run's summary lines after its report.
func emitSummaries(w io.Writer, sums []benchdoc.Summary) error {
	for _, s := range sums {
		if err := benchdoc.Emit(w, s); err != nil {
			return fmt.Errorf("%s: %w", s.Bench, err)
		}
	}
	return nil
}
