package main

import (
	"fmt"
	"math"
	"os"

	"github.com/vantage-net/vantage/internal/benchdoc"
)

// emitSummary prints the run's BENCH-SUMMARY line (internal/benchdoc) for
// block bench:BLOCK (-block; default pingfanout, or agent-full-load with
// an SNMP device). Each agent row is judged against the fping row of its
// target count.
func emitSummary(rows []row, snmp bool, block string) error {
	s := benchdoc.New("pingfanout")
	switch {
	case block != "":
		s.Bench = block
	case snmp:
		s.Bench = "agent-full-load"
	}
	var ref row
	for _, r := range rows {
		if r.ratio == 0 {
			ref = r
			continue
		}
		at := fmt.Sprintf(", %d targets", r.targets)
		if snmp {
			at += ", + SNMP"
		}
		rssGoal := "< 60 MB at 5,000 targets"
		if r.targets > 5000 {
			rssGoal = "< 100 MB at 20,000 targets"
		}
		add := func(f benchdoc.Figure) { s.Figures = append(s.Figures, f) }
		add(benchdoc.Figure{Name: r.name + ": probes/s" + at, Value: round(r.probes/r.seconds, 0), Unit: "probes/s",
			Reference: ref.name + ", asked for the same rate", RefValue: refOf(round(ref.probes/ref.seconds, 0)), Goal: fmt.Sprintf("%d (1 Hz per target)", r.targets)})
		add(benchdoc.Figure{Name: r.name + ": CPU per 1,000 probes" + at, Value: round(r.cpuPer1000*1000, 2), Unit: "ms",
			Reference: ref.name + " (fping alone)", RefValue: refOf(round(ref.cpuPer1000*1000, 2)), Goal: "≤ 0.6× fping"})
		if snmp {
			add(benchdoc.Figure{Name: r.name + ": total CPU over the window" + at, Value: round(r.cpu, 2), Unit: "s",
				Reference: ref.name + " (fping + snmpbulkwalk)", RefValue: refOf(round(ref.cpu+ref.snmpCPU, 2))})
			add(benchdoc.Figure{Name: r.name + ": SNMP varbinds/s" + at, Value: round(r.varbinds/r.seconds, 0), Unit: "varbinds/s",
				Reference: "snmpbulkwalk, same columns", RefValue: refOf(round(ref.varbinds/ref.seconds, 0))})
		}
		add(benchdoc.Figure{Name: r.name + ": peak RSS" + at, Value: round(r.rssMB, 1), Unit: "MB",
			Reference: ref.name, RefValue: refOf(round(ref.rssMB, 1)), Goal: rssGoal})
		add(benchdoc.Figure{Name: r.name + ": loss (rounds ended unanswered)" + at, Value: round(r.lossPct, 4), Unit: "%", Goal: "0%"})
		add(benchdoc.Figure{Name: r.name + ": requests unanswered in the window" + at, Value: r.lost, Unit: "requests",
			Reference: "requests sent in the window", RefValue: refOf(r.probes), Goal: "0"})
		add(benchdoc.Figure{Name: r.name + ": replies dropped on the socket in the window" + at, Value: r.drops, Unit: "packets", Goal: "0"})
		add(benchdoc.Figure{Name: r.name + ": 1-min load average at the window's end (" + ref.name + fmt.Sprintf("'s: %.2f)", ref.load1) + at, Value: r.load1})
		if finite(r.late50) && finite(r.late99) {
			add(benchdoc.Figure{Name: r.name + ": round start after its slot, p50 (bucket bound)" + at, Value: r.late50 * 1000, Unit: "ms"})
			add(benchdoc.Figure{Name: r.name + ": round start after its slot, p99 (bucket bound)" + at, Value: r.late99 * 1000, Unit: "ms"})
		}
		add(benchdoc.Figure{Name: r.name + ": slots skipped in the window" + at, Value: r.skipped, Unit: "slots", Goal: "0"})
	}
	if len(s.Figures) == 0 {
		return nil
	}
	return benchdoc.Emit(os.Stdout, s)
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// refOf is a reference value, or none where the reference measured 0.
func refOf(v float64) *float64 {
	if v == 0 || math.IsNaN(v) {
		return nil
	}
	return benchdoc.Ref(v)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
