// Command report measures customer-impact reports over a month of a
// 5,000-line fleet in a controller database it makes:
//
//   - one customer with all -lines lines: compute, then render each format
//     (json, csv, html, pdf), with the output size;
//   - a portfolio: -customers customers of one account manager sharing the
//     same lines, every customer's report computed and rendered to PDF,
//     as the scheduled monthly mail does;
//
// against the reference measured in the same run: one plain SQL scan of
// the month's line events (the least any report must read). Each line has
// -events outages, flaps and degradations over the month (spread evenly),
// a tenth of them in incidents, and a complaint per 10 lines.
//
//	go run ./bench/report
//	go run ./bench/report -lines 5000 -customers 50 -events 20
//
// Timings are reported, never judged. The run ends with its BENCH-SUMMARY
// line, which `go run ./bench/benchdoc` writes into docs/BENCHMARKS.md's
// bench:report block.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vantage-net/vantage/controller/report"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/benchdoc"
)

func main() {
	lines := flag.Int("lines", 5000, "lines")
	customers := flag.Int("customers", 50, "customers of the portfolio run")
	events := flag.Int("events", 20, "events per line over the month")
	flag.Parse()
	if err := run(*lines, *customers, *events); err != nil {
		fmt.Fprintln(os.Stderr, "bench/report:", err)
		os.Exit(1)
	}
}

var loc = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

var (
	from = time.Date(2026, 11, 1, 0, 0, 0, 0, loc)
	to   = from.AddDate(0, 1, 0)
)

func run(lines, customers, events int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bench-report")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// Two databases: all lines under one customer, and the same spread
	// over a manager's customers.
	one, err := seed(ctx, filepath.Join(dir, "one.db"), lines, 1, events)
	if err != nil {
		return err
	}
	defer one.Close()
	many, err := seed(ctx, filepath.Join(dir, "many.db"), lines, customers, events)
	if err != nil {
		return err
	}
	defer many.Close()
	now := func() time.Time { return to.Add(time.Hour) }

	start := time.Now()
	var n int
	var total float64
	if err := one.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(coalesce(ended_at, ?) - started_at), 0) FROM line_events
		WHERE retracted_at IS NULL AND started_at < ? AND coalesce(ended_at, ?) > ?`, to.UnixMilli(), to.UnixMilli(), to.UnixMilli(), from.UnixMilli()).
		Scan(&n, &total); err != nil {
		return err
	}
	scan := time.Since(start)
	sum := benchdoc.New("report")
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	vsScan := func(name string, d time.Duration, goal string) {
		sum.Figures = append(sum.Figures, benchdoc.Figure{Name: name, Value: ms(d), Unit: "ms",
			Reference: fmt.Sprintf("SQL scan of the month's %d line events", n), RefValue: benchdoc.Ref(max(ms(scan), 0.001)), Goal: goal})
	}
	fmt.Printf("reference: SQL scan of the month's line events: %d events in %s\n", n, scan.Round(time.Millisecond))

	b, err := report.New(report.Options{DB: one, Location: loc, Now: now})
	if err != nil {
		return err
	}
	start = time.Now()
	r, err := b.Customer(ctx, "C0000", from, to, "zh-CN")
	if err != nil {
		return err
	}
	compute := time.Since(start)
	fmt.Printf("one customer, %d lines, %d incidents, %d complaints: computed in %s (%.1fx the scan)\n", len(r.Lines), len(r.Incidents),
		len(r.Complaints), compute.Round(time.Millisecond), compute.Seconds()/scan.Seconds())
	vsScan(fmt.Sprintf("one customer with all %d lines: compute", len(r.Lines)), compute, "")
	for _, f := range report.Formats {
		var buf bytes.Buffer
		start = time.Now()
		if err := report.Render(&buf, r, f, loc, report.Fonts{}); err != nil {
			return err
		}
		took := time.Since(start)
		fmt.Printf("  %-4s rendered in %s, %d bytes\n", f, took.Round(time.Millisecond), buf.Len())
		vsScan(fmt.Sprintf("… render %s (%.1f MB)", f, float64(buf.Len())/1e6), took, "")
	}

	b, err = report.New(report.Options{DB: many, Location: loc, Now: now})
	if err != nil {
		return err
	}
	start = time.Now()
	p, err := b.Portfolio(ctx, "am@example.com", from, to, "zh-CN", nil)
	if err != nil {
		return err
	}
	computed := time.Since(start)
	size := 0
	fonts := report.Fonts{}
	if err := fonts.Load(); err != nil {
		return err
	}
	for _, r := range p.Reports {
		var buf bytes.Buffer
		if err := report.PDF(&buf, r, loc, fonts); err != nil {
			return err
		}
		size += buf.Len()
	}
	fmt.Printf("portfolio, %d customers, %d lines: computed in %s, all PDFs in %s (%d bytes)\n", len(p.Customers), lines,
		computed.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), size)
	vsScan(fmt.Sprintf("portfolio: %d customers, compute all", len(p.Customers)), computed, "")
	vsScan(fmt.Sprintf("portfolio: compute and render every customer's PDF (%.1f MB)", float64(size)/1e6), time.Since(start), "")
	fmt.Println()
	return benchdoc.Emit(os.Stdout, sum)
}

// seed writes the inventory and a month of events.
func seed(ctx context.Context, path string, lines, customers, events int) (*sql.DB, error) {
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for c := range customers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO customers (id, name, tier, account_manager) VALUES (?, ?, 'gold', 'am@example.com')`,
			fmt.Sprintf("C%04d", c), fmt.Sprintf("客户 %d", c)); err != nil {
			return nil, err
		}
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, loss_pct, rtt_ms, jitter_ms, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 0)`)
	if err != nil {
		return nil, err
	}
	month := to.Sub(from).Milliseconds()
	incident := int64(0)
	kinds := []string{"outage", "flap", "flap", "degraded"}
	for l := range lines {
		id, customer := fmt.Sprintf("L%05d", l), fmt.Sprintf("C%04d", l%customers)
		if _, err := tx.ExecContext(ctx, `INSERT INTO lines (circuit_id, customer_id) VALUES (?, ?)`, id, customer); err != nil {
			return nil, err
		}
		for e := range events {
			start := from.UnixMilli() + month*int64(e)/int64(events) + int64(l)*977%3_600_000
			kind := kinds[e%len(kinds)]
			length := map[string]int64{"outage": 600_000, "flap": 20_000, "degraded": 1_800_000}[kind]
			if _, err := ins.ExecContext(ctx, id, kind, start, start+length, 5, 80, 10); err != nil {
				return nil, err
			}
			if kind == "outage" && e%10 == 0 {
				incident++
				if _, err := tx.ExecContext(ctx, `INSERT INTO incidents (id, kind, started_at, ended_at, lines, customers, timeline, updated_at, cause)
					VALUES (?, 'outage', ?, ?, '[]', '[]', ?, 0, 'line')`, incident, start, start+length,
					fmt.Sprintf(`[{"time":%q,"line":%q,"what":"opened"},{"time":%q,"line":%q,"what":"up"}]`,
						time.UnixMilli(start).UTC().Format(time.RFC3339), id, time.UnixMilli(start+length).UTC().Format(time.RFC3339), id)); err != nil {
					return nil, err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO incident_lines (incident_id, circuit_id, customer_id) VALUES (?, ?, ?)`,
					incident, id, customer); err != nil {
					return nil, err
				}
			}
		}
		if l%10 == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO complaints (id, received_at, customer_id, category, intake_hash, linked_customer,
				verdict, created_at, updated_at) VALUES (?, ?, ?, 'slow', 'h', ?, 'not_observed', 0, 0)`,
				fmt.Sprintf("cp%05d", l), from.UnixMilli()+int64(l)*1000, customer, customer); err != nil {
				return nil, err
			}
		}
	}
	return db, tx.Commit()
}
