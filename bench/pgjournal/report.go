package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/benchdoc"
)

func (r *runResult) secs() float64 { return r.b.at.Sub(r.a.at).Seconds() }

func (r *runResult) perSec(a, b float64) float64 { return (b - a) / r.secs() }

func (r *runResult) rows() float64 {
	return r.perSec(float64(r.a.inserted+r.a.updated+r.a.deleted), float64(r.b.inserted+r.b.updated+r.b.deleted))
}

func (r *runResult) pct(q float64) time.Duration {
	if len(r.flushes) == 0 {
		return 0
	}
	s := slices.Clone(r.flushes)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func (r *runResult) print(w io.Writer, c config) {
	target := c.rate * float64(c.lines)
	fmt.Fprintf(w, "PostgreSQL %s, %d lines over %d partitions (lines per partition %v), %.0f results/s target, commit every %v and snapshot every %v per partition, %s\n",
		r.version, c.lines, c.parts, r.partLines, target, c.pull, c.snapshot, map[bool]string{true: "non-durable (-fast)", false: "durable (fsync, full_page_writes, synchronous_commit on)"}[c.fast])
	fmt.Fprintf(w, "window %.1f s after %v warm-up; load average at the end: %s", r.secs(), c.warmup, r.load)
	fmt.Fprintf(w, "results staged and committed: %d (%.0f/s, target %.0f/s); commit errors %d\n", r.results, float64(r.results)/r.secs(), target, r.failed)
	fmt.Fprintf(w, "commits/s %.1f  rows/s %.0f (inserted %.0f, updated %.0f, deleted %.0f)\n",
		r.perSec(float64(r.a.commits), float64(r.b.commits)), r.rows(),
		r.perSec(float64(r.a.inserted), float64(r.b.inserted)), r.perSec(float64(r.a.updated), float64(r.b.updated)), r.perSec(float64(r.a.deleted), float64(r.b.deleted)))
	printTables(w, r.ta, r.tb, r.secs())
	fmt.Fprintf(w, "journal rows at the end: %d, mean %.0f bytes stored (%.0f raw JSON, %.0f per evidence raw)\n",
		r.jRows, r.jStored, r.jRaw, r.jRaw/max(1, float64(c.lines)*c.rate*c.pull.Seconds()/float64(c.parts)))
	fmt.Fprintf(w, "WAL %.2f MB/s (%.0f bytes per result)\n", r.perSec(r.a.walBytes, r.b.walBytes)/1e6, (r.b.walBytes-r.a.walBytes)/float64(max(1, r.results)))
	fmt.Fprintf(w, "PostgreSQL CPU %.3f s/s (%.1f µs per result); controller side CPU %.3f s/s (%.1f µs per result)\n",
		r.perSec(r.a.serverCPU, r.b.serverCPU), (r.b.serverCPU-r.a.serverCPU)/float64(max(1, r.results))*1e6,
		r.perSec(r.a.selfCPU, r.b.selfCPU), (r.b.selfCPU-r.a.selfCPU)/float64(max(1, r.results))*1e6)
	fmt.Fprintf(w, "commit per pull: p50 %v p99 %v max %v over %d; slowest partition ended %v behind schedule (keeps up: %v)\n",
		r.pct(0.5).Round(time.Millisecond), r.pct(0.99).Round(time.Millisecond), r.pct(1).Round(time.Millisecond), len(r.flushes), r.lag.Round(time.Millisecond), r.keepsUp(c))
}

// keepsUp: no partition ended more than one pull period behind.
func (r *runResult) keepsUp(c config) bool { return r.lag <= c.pull && r.failed == 0 }

func emit(c config, r *runResult, command string) {
	s := benchdoc.New("pgjournal")
	s.Command = command
	s.Date, s.Machine = time.Now().UTC(), benchdoc.ReadMachine()
	load := strings.Fields(r.load)
	if len(load) == 0 {
		load = []string{"?"}
	}
	target := c.rate * float64(c.lines)
	pre := fmt.Sprintf("%d lines, %d partitions, load %s: ", c.lines, c.parts, load[0])
	s.Figures = []benchdoc.Figure{
		{Name: pre + "results committed per second", Value: float64(int(float64(r.results)/r.secs() + 0.5)), Unit: "results/s", Reference: "generated", RefValue: benchdoc.Ref(target), Goal: "keeps up (ratio 1)"},
		{Name: pre + "commits per second", Value: round1(r.perSec(float64(r.a.commits), float64(r.b.commits))), Unit: "commits/s"},
		{Name: pre + "rows written per second (inserted+updated+deleted)", Value: float64(int(r.rows() + 0.5)), Unit: "rows/s"},
		{Name: pre + "WAL", Value: round1(r.perSec(r.a.walBytes, r.b.walBytes) / 1e6 * 10 / 10), Unit: "MB/s"},
		{Name: pre + "PostgreSQL CPU (postmaster and backends)", Value: round3(r.perSec(r.a.serverCPU, r.b.serverCPU)), Unit: "CPU-s/s", Goal: "< 1 core"},
		{Name: pre + "controller CPU per result (Monitors, shipper, generator)", Value: round1((r.b.selfCPU - r.a.selfCPU) / float64(max(1, r.results)) * 1e6), Unit: "µs"},
		{Name: pre + "commit per pull, p99", Value: float64(r.pct(0.99).Milliseconds()), Unit: "ms", Goal: fmt.Sprintf("< pull period (%v)", c.pull)},
	}
	if err := benchdoc.Emit(os.Stdout, s); err != nil {
		fmt.Fprintln(os.Stderr, "bench/pgjournal: summary:", err)
	}
}

func round1(v float64) float64 { return float64(int(v*10+0.5)) / 10 }
func round3(v float64) float64 { return float64(int(v*1000+0.5)) / 1000 }
