package complaints

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/shipper"
)

// A bulk import (the inventory in memory, repeats recounted once at the
// end) stores exactly what Put stores one small call at a time: the same
// links, cells, verdicts, evidence, recovery times, repeat flags, keys and
// queued points, for complaints identified every way linking knows, with
// repeated ids within and across batches, updates and unchanged rows.
func TestBulkStoresWhatPutStores(t *testing.T) {
	ctx := context.Background()
	ins := bulkScenario()
	clk := &clock{t: t0.Add(20 * 24 * time.Hour)}
	var dumps [2]string
	for pass := range 2 {
		db := openDB(t)
		seedBulkInventory(t, db)
		ship, err := shipper.New(ctx, shipper.Options{DB: db}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Options{DB: db, Now: clk.now, Points: ship}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var sum Summary
		for _, round := range [][]Intake{ins, updated(ins)} {
			if pass == 0 {
				for i := 0; i < len(round); i += 7 {
					got, _, err := s.Put(ctx, round[i:min(i+7, len(round))])
					if err != nil {
						t.Fatal(err)
					}
					sum.Add(got)
				}
				continue
			}
			b := s.Bulk()
			for i := 0; i < len(round); i += 97 {
				got, _, err := b.Put(ctx, round[i:min(i+97, len(round))])
				if err != nil {
					t.Fatal(err)
				}
				sum.Add(got)
			}
			if err := b.Finish(ctx); err != nil {
				t.Fatal(err)
			}
		}
		dumps[pass] = fmt.Sprintf("summary %+v\n", sum) + dumpTables(t, db)
	}
	if dumps[0] != dumps[1] {
		a, b := strings.Split(dumps[0], "\n"), strings.Split(dumps[1], "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("bulk differs from Put at line %d:\nPut:  %.400s\nBulk: %.400s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("bulk has %d lines, Put %d", len(b), len(a))
	}
	// The scenario exercises what it is meant to.
	for _, want := range []string{"by customer_id", "by circuit_id", "by phone", "by coordinates", "verdict confirmed",
		"verdict degraded", "verdict not_observed", "verdict not_monitored", "repeat 1", "weak_coverage", "recovered 1",
		"| office |", "| sbig |", "first 200 lines"} {
		if !strings.Contains(dumps[0], want) {
			t.Errorf("the scenario has no complaint with %q", want)
		}
	}
	if !strings.Contains(dumps[0], "edge | ") || !strings.Contains(strings.SplitAfter(dumps[0], "\nedge | ")[1], `"kind":"flap","line":"L000"`) {
		t.Error(`complaint "edge" has not the flap that ended as its window began`)
	}
	if !strings.Contains(dumps[0], "summary {Created:401 Updated:") {
		t.Errorf("summary: %s", strings.SplitN(dumps[0], "\n", 2)[0])
	}
}

// seedBulkInventory: 40 customers with one to three lines each, sites in
// a grid (every fifth line's Z end at a shared office site), contacts with
// phones, a hotspot, line states of every kind, outages, flaps,
// degradations and incidents, and one weak coverage cell.
func seedBulkInventory(t *testing.T, db *sql.DB) {
	rng := rand.New(rand.NewPCG(7, 7))
	incident := 0
	exec(t, db, `INSERT INTO sites (id, customer_id, kind, name, lat, lon, grid_cell) VALUES
		('office', NULL, 'hotspot', 'Office', 31.1, 121.1, 'wtw3sj'), ('hot', NULL, 'hotspot', 'Hot', 31.25, 121.25, 'wtw3w')`)
	for c := range 40 {
		cust := fmt.Sprintf("c%02d", c)
		exec(t, db, `INSERT INTO customers (id, name, tier) VALUES (?, ?, 'gold')`, cust, cust)
		site := fmt.Sprintf("s%02d", c)
		if c%9 != 8 { // some customers have no site
			lat, lon := 31.0+float64(c/8)*0.01, 121.0+float64(c%8)*0.01
			cell := ""
			if c%3 == 0 {
				cell = Geohash(lat, lon, 6)
			}
			exec(t, db, `INSERT INTO sites (id, customer_id, kind, name, lat, lon, grid_cell) VALUES (?, ?, 'cpe', ?, ?, ?, ?)`,
				site, cust, site, lat, lon, cell)
		} else {
			site = ""
		}
		if c%4 == 1 {
			exec(t, db, `INSERT INTO contacts (id, customer_id, name, phone) VALUES (?, ?, 'x', ?)`,
				"k"+cust, cust, fmt.Sprintf("+86 138-0000-%04d", c))
		}
		for l := range 1 + c%3 {
			line := fmt.Sprintf("L%02d%d", c, l)
			var a, z any
			if site != "" {
				a = site
			}
			if (c+l)%5 == 0 {
				z = "office"
			}
			exec(t, db, `INSERT INTO lines (circuit_id, customer_id, a_end_site, z_end_site) VALUES (?, ?, ?, ?)`, line, cust, a, z)
			state := []string{"up", "up", "up", "flapping", "unknown", ""}[rng.IntN(6)]
			if state != "" {
				exec(t, db, `INSERT INTO line_states (circuit_id, state, since, updated_at) VALUES (?, ?, ?, ?)`,
					line, state, ms(t0.Add(-40*24*time.Hour)), ms(t0))
			}
			for e := range rng.IntN(4) {
				kind := []string{"outage", "flap", "degraded"}[rng.IntN(3)]
				start := t0.Add(time.Duration(rng.IntN(20*24)) * time.Hour)
				var end any = ms(start.Add(time.Duration(10+rng.IntN(100)) * time.Minute))
				if e == 2 {
					end = nil
				}
				exec(t, db, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, loss_pct, rtt_ms, recorded_at)
					VALUES (?, ?, ?, ?, 20, 90, ?) ON CONFLICT DO NOTHING`, line, kind, ms(start), end, ms(t0))
			}
			if rng.IntN(6) == 0 {
				start := t0.Add(time.Duration(rng.IntN(20*24)) * time.Hour)
				incident++
				id := incident
				exec(t, db, `INSERT INTO incidents (id, kind, started_at, ended_at, lines, customers, timeline, updated_at)
					VALUES (?, 'outage', ?, ?, '[]', '[]', '[]', ?)`, id, ms(start), ms(start.Add(time.Hour)), ms(t0))
				exec(t, db, `INSERT INTO incident_lines (incident_id, circuit_id, customer_id) VALUES (?, ?, ?)`, id, line, cust)
			}
		}
	}
	// A flap ending exactly where complaint "edge"'s window begins.
	edge := t0.Add(5*24*time.Hour - 24*time.Hour)
	exec(t, db, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, recorded_at) VALUES ('L000', 'flap', ?, ?, ?)`,
		ms(edge.Add(-time.Minute)), ms(edge), ms(t0))
	// A group customer with more lines than a complaint is judged on.
	exec(t, db, `INSERT INTO customers (id, name, tier) VALUES ('big', 'Big', 'gold')`)
	exec(t, db, `INSERT INTO sites (id, customer_id, kind, name, lat, lon) VALUES ('sbig', 'big', 'cpe', 'Big', 31.2, 121.2)`)
	for l := range maxLinesPerComplaint + 5 {
		exec(t, db, `INSERT INTO lines (circuit_id, customer_id, a_end_site) VALUES (?, 'big', 'sbig')`, fmt.Sprintf("B%03d", 300-l))
	}
	exec(t, db, `INSERT INTO coverage_cells (cell, score, weak, evaluated_at) VALUES ('wtw3w', 20, 1, ?), ('wtw3sj', 80, 0, ?)`,
		ms(t0), ms(t0))
	exec(t, db, `INSERT INTO coverage_events (cell, started_at, ended_at, min_score, reason) VALUES ('wtw3w', ?, NULL, 20, 'rsrp')`,
		ms(t0.Add(2*24*time.Hour)))
}

// bulkScenario is 400 complaints over 20 days by customer id, circuit id,
// phone, coordinates (near a site, near the hotspot, far from all),
// unknown ids, and some with nothing known; ids repeat now and then.
func bulkScenario() []Intake {
	rng := rand.New(rand.NewPCG(1, 9))
	cats := []Category{LineInterruption, Slow, NoService, WeakSignal, Other}
	var out []Intake
	for i := range 430 {
		id := fmt.Sprintf("T%04d", i)
		if i >= 400 {
			id = fmt.Sprintf("T%04d", rng.IntN(400)) // a later row of an earlier id
		}
		c := rng.IntN(44) // 40..43: unknown customers
		in := Intake{ID: id, ReceivedAt: t0.Add(time.Duration(rng.IntN(20*24*60)) * time.Minute),
			Category: cats[rng.IntN(len(cats))], Text: "x"}
		switch i % 6 {
		case 0:
			in.CustomerID = fmt.Sprintf("c%02d", c)
		case 1:
			in.CircuitID = fmt.Sprintf("L%02d%d", c, rng.IntN(3))
		case 2:
			in.Phone = fmt.Sprintf("13800000%03d", c)
		case 3:
			lat, lon := 31.0+float64(c/8)*0.01+0.0005, 121.0+float64(c%8)*0.01
			in.Lat, in.Lon = &lat, &lon
		case 4:
			lat, lon := 31.25+rng.Float64()*0.002, 121.25
			switch rng.IntN(4) {
			case 0:
				lat = 35
			case 1:
				lat, lon = 31.1005, 121.1 // the office, Z end of lines
			case 2:
				lat, lon = 31.2, 121.2005 // the group customer's site
			}
			in.Lat, in.Lon = &lat, &lon
			in.CustomerID = fmt.Sprintf("c%02d", c)
		default:
			in.CustomerID = fmt.Sprintf("c%02d", c)
			if c == 43 {
				in.CustomerID = "big"
			}
			in.CircuitID = fmt.Sprintf("L%02d%d", rng.IntN(44), rng.IntN(3))
		}
		if rng.IntN(4) == 0 {
			closed := in.ReceivedAt.Add(time.Duration(rng.IntN(48)) * time.Hour)
			in.ClosedAt = &closed
		}
		out = append(out, in)
	}
	return append(out, Intake{ID: "edge", ReceivedAt: t0.Add(5 * 24 * time.Hour), CircuitID: "L000", Category: Slow})
}

// updated is the scenario imported again with every fifth row's text
// changed, every third received 45 days earlier (out of the others'
// repeat windows) and every thirteenth naming nothing known.
func updated(ins []Intake) []Intake {
	out := slices.Clone(ins)
	for i := range out {
		if i%5 == 0 {
			out[i].Text = "changed"
		}
		if i%3 == 0 {
			out[i].ReceivedAt = out[i].ReceivedAt.Add(-45 * 24 * time.Hour)
			out[i].ClosedAt = nil
		}
		if i%13 == 0 {
			out[i] = Intake{ID: out[i].ID, ReceivedAt: out[i].ReceivedAt, CustomerID: "nobody", Category: Other}
		}
	}
	return out
}

// dumpTables lists what an import stores, in a stable order.
func dumpTables(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, received_at, closed_at, customer_id, phone, circuit_id, text, intake_hash,
			'by ' || linked_by, linked_customer, site_id, grid_cell, lines, 'verdict ' || verdict, evidence,
			'recovered ' || CASE WHEN recovered_at IS NULL THEN 0 ELSE 1 END, recovered_at, 'repeat ' || repeat FROM complaints ORDER BY id`,
		`SELECT complaint_id, kind, key, received_at FROM complaint_keys ORDER BY complaint_id, kind, key`,
		`SELECT complaint_id, at_ns, customer, grid, category, verdict FROM complaint_points ORDER BY complaint_id`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteString(" | ")
				}
				fmt.Fprint(&b, v)
			}
			b.WriteString("\n")
		}
		rows.Close()
		b.WriteString("--\n")
	}
	// The queued points as InfluxDB ends up with them: per series and
	// time the last value written, and n=0 as good as none (how many
	// were written on the way depends on which rows shared a call).
	rows, err := db.Query(`SELECT point FROM point_queue ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	last := map[string]string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(p)
		if len(f) != 3 {
			t.Fatalf("point %q", p)
		}
		last[f[0]+" "+f[2]] = f[1]
	}
	var pts []string
	for k, v := range last {
		if v != "n=0i" {
			pts = append(pts, k+" "+v)
		}
	}
	slices.Sort(pts)
	b.WriteString(strings.Join(pts, "\n"))
	return b.String()
}
