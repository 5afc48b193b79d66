package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/vantage-net/vantage/internal/benchdoc"
)

// summary collects each call's p95 for docs/BENCHMARKS.md's bench:api
// block, with the load average after its calls and the CPU per call in
// its name.
type summary struct{ s benchdoc.Summary }

func newSummary() *summary { return &summary{s: benchdoc.New("api")} }

var backendName = map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}

func (m *summary) add(backend string, t *timing) {
	load := strings.Fields(t.load)
	if len(load) == 0 {
		load = []string{"?"}
	}
	db := ""
	if backend == "postgres" {
		db = fmt.Sprintf(", server %.1f ms", t.cpuPerCall(t.dbCPU))
	}
	m.s.Figures = append(m.s.Figures, benchdoc.Figure{
		Name: fmt.Sprintf("%s, %s: p95 of %d (load %s; CPU/call: controller %.1f ms%s)", backendName[backend], t.name, len(t.lat), load[0],
			t.cpuPerCall(t.ctlCPU), db),
		Value: float64(t.pct(95).Microseconds()/100) / 10, Unit: "ms", Goal: "< 100 ms"})
}

func (m *summary) emit() {
	if len(m.s.Figures) > 0 {
		m.s.Date, m.s.Machine = time.Now().UTC(), benchdoc.ReadMachine()
		_ = benchdoc.Emit(os.Stdout, m.s)
	}
}
