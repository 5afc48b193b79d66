// Command api times the controller's REST API over a province's worth of
// data (issue 16): -lines lines (default 50,000, the fleet simulator's
// inventory: customers, PoP → router → card → port elements, lines),
// 30 days (-days) of flaps, outages and degradations at the field's rate
// (-events-per-line a month, default 10.2: 510,000 at 50,000 lines, some
// lines much hotter than others, the last 24 hours included, a few
// outages still open), a line state for every line, incidents (one per
// outage, some grouped over a card's lines), complaints, and account
// managers owning a fiftieth of the customers each. It seeds a fresh
// database through the store code (the shipped `vantage-controller
// inventory import` and `token create`, complaints.Store, SQL for the
// rest), starts the shipped vantage-controller on it and times every
// list and detail call (lines, customers, incidents, complaints,
// agents), as an admin and as an account manager (the
// read model applies the scope inside its queries), printing p50, p95
// and max per call and page size with the load average, and a
// BENCH-SUMMARY line for docs/BENCHMARKS.md's bench:api block.
//
//	go run ./bench/api                      # SQLite and PostgreSQL, 50,000 lines
//	go run ./bench/api -db sqlite -lines 10000
//
// -db postgres (and the default, both) starts a throwaway PostgreSQL
// server (internal/testpg; `make deps` installs it). Timings are
// reported, never judged.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type config struct {
	lines         int
	eventsPerLine float64
	days          int
	complaints    int
	managers      int
	backends      []string
	seed          int64
	keep          bool
	// hold keeps the controller and the database up this long after the
	// timings (printing the database's URL), for EXPLAIN by hand.
	hold time.Duration
	// calls is how many times each single call (detail, a random page)
	// is timed; list walks time every page.
	calls int
}

func main() {
	c := config{}
	db := flag.String("db", "sqlite,postgres", "backends to measure, comma-separated: sqlite, postgres")
	flag.IntVar(&c.lines, "lines", 50_000, "lines in the inventory")
	flag.Float64Var(&c.eventsPerLine, "events-per-line", 10.2, "flaps, outages and degradations per line per 30 days (the field: 510,000 a month over 50,000 lines)")
	flag.IntVar(&c.days, "days", 30, "days of history (the API's longest window is 30; more shows what older history costs)")
	flag.IntVar(&c.complaints, "complaints", 10_000, "complaints over the history")
	flag.IntVar(&c.managers, "managers", 50, "account managers; customers are shared among them round-robin")
	flag.IntVar(&c.calls, "calls", 200, "timed calls per single-call kind")
	flag.Int64Var(&c.seed, "seed", 16, "seed of the generated data")
	flag.BoolVar(&c.keep, "keep", false, "keep the work directories")
	flag.DurationVar(&c.hold, "hold", 0, "keep the controller and database up this long after timing, printing the database URL (EXPLAIN by hand)")
	flag.Parse()
	for _, b := range strings.Split(*db, ",") {
		switch b = strings.TrimSpace(b); b {
		case "sqlite", "postgres":
			c.backends = append(c.backends, b)
		default:
			fmt.Fprintf(os.Stderr, "bench/api: -db: unknown backend %q (sqlite, postgres)\n", b)
			os.Exit(2)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum := newSummary()
	var failed bool
	for _, b := range c.backends {
		if err := runBackend(ctx, c, b, sum); err != nil {
			fmt.Fprintf(os.Stderr, "bench/api: %s: %v\n", b, err)
			failed = true
		}
	}
	sum.emit()
	if failed {
		os.Exit(1)
	}
}
