package linehealth

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// figuresBefore is addFigures as it was before it read the events by
// their end (line_events_figures): one condition on coalesce(ended_at,
// now), which walked every event a line ever had.
// TestFiguresSameAsBefore holds the faster query to its answers.
func figuresBefore(ctx context.Context, rm *ReadModel, views []LineView) error {
	now := rm.now()
	n, s1, s7, s30 := ms(now), ms(now.Add(-windows[0])), ms(now.Add(-windows[1])), ms(now.Add(-windows[2]))
	args := []any{n, s1, n, n, s1, n, n, s7, n, n, s30, n, s30, n}
	idx := make(map[string]int, len(views))
	for i, v := range views {
		idx[v.ID] = i
		args = append(args, v.ID)
	}
	rows, err := rm.db.QueryContext(ctx, `SELECT circuit_id, kind,
			sum(CASE WHEN coalesce(ended_at, ?) > ? THEN 1 ELSE 0 END),
			sum(max(0, min(coalesce(ended_at, ?), ?) - max(started_at, ?))),
			sum(max(0, min(coalesce(ended_at, ?), ?) - max(started_at, ?))),
			sum(max(0, min(coalesce(ended_at, ?), ?) - max(started_at, ?)))
		FROM line_events
		WHERE kind IN ('outage', 'flap') AND retracted_at IS NULL AND coalesce(ended_at, ?) > ? AND started_at < ?
			AND circuit_id IN (?`+strings.Repeat(",?", len(views)-1)+`)
		GROUP BY circuit_id, kind`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	down := make([][3]float64, len(views))
	for rows.Next() {
		var id, kind string
		var count int
		var downMS [3]float64
		if err := rows.Scan(&id, &kind, &count, &downMS[0], &downMS[1], &downMS[2]); err != nil {
			return err
		}
		i := idx[id]
		if kind == "flap" {
			views[i].Flaps24h = count
		} else {
			views[i].Outages24h = count
		}
		for w := range windows {
			down[i][w] += downMS[w] / 1e3
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range views {
		var avail [3]float64
		for w, length := range windows {
			avail[w] = 100 * max(0, 1-down[i][w]/length.Seconds())
		}
		views[i].Availability24h, views[i].Availability7d, views[i].Availability30d = avail[0], avail[1], avail[2]
	}
	return nil
}

// TestFiguresSameAsBefore seeds 60 lines with 90 days of flaps, outages
// and degradations (some straddling the 24-hour, 7-day and 30-day edges,
// a day-long one that began before the 30 days, open outages, retracted
// events, one starting in the future of the clock) and checks that the
// figures of every line, page by page, are exactly what the old query gave.
func TestFiguresSameAsBefore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.t0
	rng := rand.New(rand.NewSource(3))
	var ids []string
	for i := range 60 {
		ids = append(ids, fmt.Sprintf("Q%03d", i))
	}
	add := func(id, kind string, start time.Time, end *time.Time, retracted bool) {
		t.Helper()
		var e, r any
		if end != nil {
			e = ms(*end)
		}
		if retracted {
			r = ms(now)
		}
		if _, err := f.db.ExecContext(ctx, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, loss_pct, recorded_at, final, retracted_at)
			VALUES (?, ?, ?, ?, 100, ?, 1, ?) ON CONFLICT DO NOTHING`, id, kind, ms(start), e, ms(now), r); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[:50] { // the last ten have no events
		for range rng.Intn(40) {
			kind := []string{"flap", "flap", "flap", "outage", "degraded"}[rng.Intn(5)]
			start := now.Add(-time.Duration(rng.Int63n(int64(90 * day))))
			end := start.Add(time.Duration(1+rng.Intn(7200)) * time.Second)
			add(id, kind, start, &end, rng.Intn(15) == 0)
		}
		for _, edge := range []time.Duration{day, 7 * day, 30 * day} { // straddling each window's start
			start, end := now.Add(-edge-time.Hour), now.Add(-edge+time.Hour)
			add(id, []string{"flap", "outage"}[rng.Intn(2)], start, &end, false)
		}
		if rng.Intn(3) == 0 { // a day-long outage that began before the 30 days and ended in them
			start, end := now.Add(-30*day-12*time.Hour), now.Add(-30*day+12*time.Hour+time.Minute)
			add(id, "outage", start, &end, false)
		}
		if rng.Intn(4) == 0 { // open, some of them retracted
			add(id, "outage", now.Add(-time.Duration(1+rng.Intn(72))*time.Hour), nil, rng.Intn(3) == 0)
		}
		if rng.Intn(10) == 0 { // in the clock's future: counted nowhere
			end := now.Add(2 * time.Hour)
			add(id, "outage", now.Add(time.Hour), &end, false)
		}
	}
	rm := f.reads(t)
	for _, size := range []int{1, 7, 60} {
		for from := 0; from < len(ids); from += size {
			page := ids[from:min(len(ids), from+size)]
			got, want := make([]LineView, len(page)), make([]LineView, len(page))
			for i, id := range page {
				got[i], want[i] = LineView{ID: id}, LineView{ID: id}
			}
			if err := rm.addFigures(ctx, got); err != nil {
				t.Fatal(err)
			}
			if err := figuresBefore(ctx, rm, want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("page of %d from %s: %+v, want %+v", size, page[i], got[i], want[i])
					}
				}
			}
		}
	}
}

// BenchmarkFigures times one 1,000-line page's figures over 30 days and
// a year of history at the field's rate (10 events a line a month: 10,000
// and 121,000 rows), the query as it is ("now") and as it was ("before"),
// in one process, e.g.
//
//	go test -run X -bench Figures -benchtime 20x ./controller/linehealth/
func BenchmarkFigures(b *testing.B) {
	for _, days := range []int{30, 365} {
		benchmarkFigures(b, days)
	}
}

func benchmarkFigures(b *testing.B, days int) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, storetest.Target(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewSource(1))
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	views := make([]LineView, 1000)
	for i := range views {
		views[i].ID = fmt.Sprintf("B%04d", i)
		for range days / 3 { // 10 a month
			start := t0.Add(-time.Duration(rng.Int63n(int64(time.Duration(days) * day))))
			if _, err := tx.ExecContext(ctx, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, loss_pct, recorded_at)
				VALUES (?, 'flap', ?, ?, 100, 0) ON CONFLICT DO NOTHING`, views[i].ID, ms(start), ms(start.Add(10*time.Second))); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	rm, err := NewReadModel(ReadOptions{DB: db, Inventory: inventory.NewSQLStore(db), Now: func() time.Time { return t0 }})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		fn   func(context.Context, *ReadModel, []LineView) error
	}{{"now", func(ctx context.Context, rm *ReadModel, v []LineView) error { return rm.addFigures(ctx, v) }}, {"before", figuresBefore}} {
		b.Run(fmt.Sprintf("%dd/%s", days, c.name), func(b *testing.B) {
			cpu0 := cpuTime()
			for range b.N {
				if err := c.fn(ctx, rm, views); err != nil {
					b.Fatal(err)
				}
			}
			// CPU per call: on a shared machine wall time is mostly the
			// others' load.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
