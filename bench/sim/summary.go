package main

import (
	"os"
	"time"

	"github.com/vantage-net/vantage/internal/benchdoc"
)

// summary collects the run's figures for docs/BENCHMARKS.md's bench:sim
// (short) or bench:sim-long (BENCH_LONG=1) block; emit prints them even
// when the run fails part-way, so a run that did not keep up still
// records how far it got.
type summary struct{ s benchdoc.Summary }

func newSummary() *summary {
	s := benchdoc.New("sim") // the command: go run ./bench/sim …
	if os.Getenv("BENCH_LONG") == "1" {
		s.Bench, s.Command = "sim-long", "BENCH_LONG=1 "+s.Command
	}
	return &summary{s: s}
}

func round(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

func (m *summary) add(f benchdoc.Figure) { m.s.Figures = append(m.s.Figures, f) }

// ref is a reference value, none when it is 0 (a ratio cannot divide by it).
func ref(v float64) *float64 {
	if v == 0 {
		return nil
	}
	return benchdoc.Ref(v)
}

func (m *summary) throughput(offered, ingested float64) {
	m.add(benchdoc.Figure{Name: "results ingested per second while publishing", Value: round(ingested, 0), Unit: "results/s",
		Reference: "results offered per second by the simulator", RefValue: ref(round(offered, 0)), Goal: "= offered (keeps up)"})
}

func (m *summary) backlog(first, second float64) {
	f := benchdoc.Figure{Name: "ingest backlog, largest in the second half of the run", Value: second, Unit: "messages",
		Goal: "bounded, not growing"}
	if first > 0 {
		f.Reference, f.RefValue = "largest in the first half", ref(first)
	}
	m.add(f)
}

func (m *summary) memory(peakMB float64) {
	m.add(benchdoc.Figure{Name: "controller peak RSS", Value: round(peakMB, 0), Unit: "MB", Goal: "< 1,024 MB"})
}

func (m *summary) cpu(results, ctrl, influxd float64) {
	if results <= 0 {
		return
	}
	m.add(benchdoc.Figure{Name: "controller CPU per 1,000 results ingested", Value: round(1000*ctrl/results, 4), Unit: "s",
		Reference: "influxd CPU per 1,000 results", RefValue: ref(round(1000*influxd/results, 4))})
}

func (m *summary) counts(matchedEvents, truthEvents, matchedGroups, truthGroups int) {
	m.add(benchdoc.Figure{Name: "flaps and outages matching the ground truth", Value: float64(matchedEvents), Unit: "events",
		Reference: "ground truth", RefValue: ref(float64(truthEvents)), Goal: "all, exactly"})
	m.add(benchdoc.Figure{Name: "grouped failures found as one incident", Value: float64(matchedGroups), Unit: "incidents",
		Reference: "ground truth", RefValue: ref(float64(truthGroups)), Goal: "all, exactly"})
}

// api adds each call kind's p95 in ms.
func (m *summary) api(lat map[string][]time.Duration) {
	names := map[string]string{
		"list":       "API p95, GET /api/v1/lines pages of 1,000",
		"list-100":   "API p95, GET /api/v1/lines pages of 100 (30 days of history)",
		"detail":     "API p95, GET /api/v1/lines/{id}, lines with events in the run",
		"detail-30d": "API p95, GET /api/v1/lines/{id} (30 days of history)",
	}
	for _, k := range []string{"list", "list-100", "detail", "detail-30d"} {
		if len(lat[k]) == 0 {
			continue
		}
		m.add(benchdoc.Figure{Name: names[k], Value: round(float64(pct(lat[k], 95).Microseconds())/1000, 1), Unit: "ms", Goal: "< 100 ms"})
	}
}

func (m *summary) emit() {
	if len(m.s.Figures) > 0 {
		// The date and the machine's load as the run ends, not as it began.
		m.s.Date, m.s.Machine = time.Now().UTC(), benchdoc.ReadMachine()
		_ = benchdoc.Emit(os.Stdout, m.s)
	}
}
