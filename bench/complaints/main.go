// Command complaints measures `vantage-controller complaints import` on a
// large call-centre export: -rows rows (default 100,000) of a GB18030 file
// with Chinese headers and categories, dates in three formats, a tenth of
// the rows with quoted free text holding commas and newlines, against an
// inventory of -customers customers (one site and line each, line states
// and an outage on every tenth line), so every row is linked and judged.
//
//	go run ./bench/complaints                  # 100,000 rows
//	go run ./bench/complaints -rows 20000 -runs 3
//
// It imports the file into a fresh database (every row created), then
// again (every row unchanged), and prints both times and the rows per
// second. Timings are reported, never judged.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/complaints/importcsv"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/sqlite"
)

func main() {
	rows := flag.Int("rows", 100000, "rows in the export")
	customers := flag.Int("customers", 5000, "customers in the inventory (one site and line each)")
	runs := flag.Int("runs", 1, "fresh imports to time")
	batch := flag.Int("batch", 0, "rows per transaction (0: importcsv.DefaultBatch)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the imports to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*rows, *customers, *runs, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "bench/complaints:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

const header = "工单编号,受理时间,结单时间,客户编号,联系电话,电路编号,客户名称,地址,经度,纬度,投诉类别,投诉内容\n"

var mappingYAML = `columns: {id: 工单编号, received_at: 受理时间, closed_at: 结单时间, customer_id: 客户编号, phone: 联系电话,
  circuit_id: 电路编号, customer_name: 客户名称, address: 地址, lon: 经度, lat: 纬度, category: 投诉类别, text: 投诉内容}
categories: {line_interruption: [断网], slow: [网速慢], no_service: [无法上网], weak_signal: [信号差], other: [其他]}
time_zone: Asia/Shanghai
`

func run(rows, customers, runs, batch int) error {
	dir, err := os.MkdirTemp("", "bench-complaints-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rng := rand.New(rand.NewPCG(1, 2))
	data, err := export(rng, rows, customers)
	if err != nil {
		return err
	}
	m, err := importcsv.ParseMapping("mapping.yaml", []byte(mappingYAML))
	if err != nil {
		return err
	}
	fmt.Printf("export: %d rows, %.1f MiB GB18030; inventory: %d customers, lines, sites\n",
		rows, float64(len(data))/(1<<20), customers)
	for r := 0; r < runs; r++ {
		db, err := sqlite.Open(context.Background(), filepath.Join(dir, fmt.Sprintf("run%d.db", r)), sqlite.Options{})
		if err != nil {
			return err
		}
		if err := seed(db, customers); err != nil {
			return err
		}
		// As `complaints import` does: complaint points queued for the
		// controller's shipper in each batch's transaction.
		q, err := shipper.New(context.Background(), shipper.Options{DB: db}, nil, nil)
		if err != nil {
			return err
		}
		s, err := complaints.New(complaints.Options{DB: db, Points: q}, nil, nil)
		if err != nil {
			return err
		}
		for _, pass := range []string{"fresh", "re-import"} {
			start, cpu0 := time.Now(), cpuTime()
			rep, err := importcsv.ImportData(context.Background(), s, "export.csv", data, importcsv.Options{Mapping: m, Batch: batch})
			if err != nil {
				return err
			}
			d, cpu := time.Since(start), cpuTime()-cpu0
			fmt.Printf("run %d %-9s %6.2f s wall  %6.2f s CPU  %7.0f rows/s  created %d updated %d unchanged %d bad %d\n", r+1, pass,
				d.Seconds(), cpu.Seconds(), float64(rep.Rows)/d.Seconds(), rep.Created, rep.Updated, rep.Unchanged, len(rep.Bad))
		}
		var verdicts []string
		vr, err := db.Query(`SELECT verdict, count(*) FROM complaints GROUP BY verdict ORDER BY verdict`)
		if err != nil {
			return err
		}
		for vr.Next() {
			var v string
			var n int
			_ = vr.Scan(&v, &n)
			verdicts = append(verdicts, fmt.Sprintf("%s %d", v, n))
		}
		vr.Close()
		fmt.Printf("run %d verdicts: %s\n", r+1, strings.Join(verdicts, ", "))
		db.Close()
	}
	return nil
}

// export builds the GB18030 file: customers complain by customer id, by
// circuit id or by coordinates near their site, over 60 days.
func export(rng *rand.Rand, rows, customers int) ([]byte, error) {
	var b strings.Builder
	b.WriteString(header)
	cats := []string{"断网", "网速慢", "无法上网", "信号差", "其他"}
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < rows; i++ {
		c := rng.IntN(customers)
		at := t0.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
		var when string
		switch i % 3 {
		case 0:
			when = at.Format("2006-01-02 15:04:05")
		case 1:
			when = at.Format("2006/1/2 15:04")
		default:
			when = at.Format("2006年1月2日 15:04")
		}
		cust, circuit, lat, lon := "", "", "", ""
		switch i % 4 {
		case 0, 1:
			cust = fmt.Sprintf("C%05d", c)
		case 2:
			circuit = fmt.Sprintf("L%05d", c)
		default:
			la, lo := site(c)
			lat, lon = fmt.Sprintf("%.5f", la+0.0003), fmt.Sprintf("%.5f", lo)
		}
		text := "无法上网"
		if i%10 == 0 {
			text = "\"早上断网, 下午又断\n已重启光猫\""
		}
		fmt.Fprintf(&b, "T%07d,%s,,%s,,%s,客户%d,上海市,%s,%s,%s,%s\n", i, when, cust, circuit, c, lon, lat,
			cats[rng.IntN(len(cats))], text)
	}
	return simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(b.String()))
}

// site spreads the customers' sites over a grid around Shanghai, ~500 m apart.
func site(c int) (lat, lon float64) {
	return 31.0 + float64(c/100)*0.005, 121.0 + float64(c%100)*0.005
}

func seed(db *sql.DB, customers int) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UnixMilli()
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for c := 0; c < customers; c++ {
		id, sid, line := fmt.Sprintf("C%05d", c), fmt.Sprintf("S%05d", c), fmt.Sprintf("L%05d", c)
		lat, lon := site(c)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO customers (id, name, tier) VALUES (?, ?, 'gold')`, []any{id, id}},
			{`INSERT INTO sites (id, customer_id, kind, name, lat, lon) VALUES (?, ?, 'cpe', ?, ?, ?)`, []any{sid, id, sid, lat, lon}},
			{`INSERT INTO lines (circuit_id, customer_id, a_end_site) VALUES (?, ?, ?)`, []any{line, id, sid}},
			{`INSERT INTO line_states (circuit_id, state, since, updated_at) VALUES (?, 'up', ?, ?)`, []any{line, t0.UnixMilli(), now}},
		} {
			if _, err := tx.Exec(q.sql, q.args...); err != nil {
				return err
			}
		}
		if c%10 == 0 {
			start := t0.Add(time.Duration(c%60) * 24 * time.Hour)
			if _, err := tx.Exec(`INSERT INTO line_events (circuit_id, kind, started_at, ended_at, duration_s, loss_pct, recorded_at)
				VALUES (?, 'outage', ?, ?, 1800, 100, ?)`, line, start.UnixMilli(), start.Add(30*time.Minute).UnixMilli(), now); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// cpuTime is this process's user + system CPU time: on a shared machine
// the wall time includes waiting for a core, the CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
