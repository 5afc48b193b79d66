package importcsv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/shipper"
)

// BenchmarkImport imports a 10,000-row GB18030 export (Chinese headers and
// categories, three date formats, a tenth with quoted multi-line text)
// into a fresh database with 500 customers, each with a site and a line
// in line health, linking and judging every row and queueing its point,
// as `complaints import` does. bench/complaints times 100,000 rows.
func BenchmarkImport(b *testing.B) {
	const rows, customers = 10000, 500
	data := gb18030(b, benchExport(rows, customers))
	m := mapping(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		b.StopTimer()
		_, db := newStore(b)
		t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		for c := range customers {
			for _, q := range []string{
				`INSERT INTO customers (id, name, tier) VALUES ('C%[1]d', 'C%[1]d', 'gold')`,
				`INSERT INTO sites (id, customer_id, kind, name, lat, lon) VALUES ('S%[1]d', 'C%[1]d', 'cpe', 'S', 31 + %[1]d / 100 * 0.005, 121 + %[1]d %% 100 * 0.005)`,
				`INSERT INTO lines (circuit_id, customer_id, a_end_site) VALUES ('L%[1]d', 'C%[1]d', 'S%[1]d')`,
				`INSERT INTO line_states (circuit_id, state, since, updated_at) VALUES ('L%[1]d', 'up', %[2]d, %[2]d)`,
			} {
				if _, err := tx.Exec(fmt.Sprintf(q, c, t0.UnixMilli())); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		q, err := shipper.New(context.Background(), shipper.Options{DB: db}, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		s, err := complaints.New(complaints.Options{DB: db, Points: q}, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := ImportData(context.Background(), s, "export.csv", data, Options{Mapping: m})
		if err != nil || rep.Created != rows {
			b.Fatalf("%+v, %v", rep, err)
		}
	}
}

// benchExport is the export's text: complaints by customer id, circuit
// id or coordinates near the customer's site over 60 days.
func benchExport(rows, customers int) string {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString(chineseHeader)
	cats := []string{"断网", "网速慢", "无法上网", "信号差", "其他"}
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		c := rng.IntN(customers)
		at := t0.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
		when := []string{at.Format("2006-01-02 15:04:05"), at.Format("2006/01/02 15:04"), at.Format("2006年01月02日 15:04")}[i%3]
		cust, circuit, lon, lat := "", "", "", ""
		switch i % 4 {
		case 0, 1:
			cust = fmt.Sprint("C", c)
		case 2:
			circuit = fmt.Sprint("L", c)
		default:
			lat, lon = fmt.Sprintf("%.5f", 31+float64(c/100)*0.005+0.0003), fmt.Sprintf("%.5f", 121+float64(c%100)*0.005)
		}
		text := "无法上网"
		if i%10 == 0 {
			text = "\"早上断网, 下午又断\n已重启光猫\""
		}
		fmt.Fprintf(&b, "T%07d,%s,,%s,,%s,客户%d,上海市,%s,%s,%s,%s\n", i, when, cust, circuit, c, lon, lat, cats[rng.IntN(len(cats))], text)
	}
	return b.String()
}
