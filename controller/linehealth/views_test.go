package linehealth

import (
	"context"
	"math"
	"testing"
	"time"
)

// TestAvailabilityWindows stores a 30-s flap 1 hour ago, a 1-hour outage
// 2 days ago, a 3-hour outage straddling the 7-day edge by 1 hour, a 6-hour
// outage 10 days ago and a day-long one 40 days ago, and checks that each
// window counts exactly its own share of them.
func TestAvailabilityWindows(t *testing.T) {
	f := newFixture(t)
	now := f.t0
	ctx := context.Background()
	add := func(kind string, start time.Time, d time.Duration) {
		t.Helper()
		if _, err := f.db.ExecContext(ctx, upsertEvent, "L1", kind, ms(start), ms(start.Add(d)), d.Seconds(), 100.0, ms(now)); err != nil {
			t.Fatal(err)
		}
	}
	add("outage", now.Add(-48*time.Hour), time.Hour)
	add("outage", now.Add(-10*day), 6*time.Hour)
	add("flap", now.Add(-time.Hour), 30*time.Second)
	add("outage", now.Add(-40*day), 24*time.Hour)
	add("outage", now.Add(-7*day-2*time.Hour), 3*time.Hour)
	m := f.reads(t)
	views := []LineView{{ID: "L1", State: "up"}}
	if err := m.addFigures(ctx, views); err != nil {
		t.Fatal(err)
	}
	v := views[0]
	pct := func(down, window time.Duration) float64 { return 100 * (1 - down.Seconds()/window.Seconds()) }
	want := [3]float64{
		pct(30*time.Second, day),
		pct(30*time.Second+time.Hour+time.Hour, 7*day), // the straddling outage's last hour
		pct(30*time.Second+time.Hour+6*time.Hour+3*time.Hour, 30*day),
	}
	got := [3]float64{v.Availability24h, v.Availability7d, v.Availability30d}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Errorf("window %d: availability %.6f, want %.6f", i, got[i], want[i])
		}
	}
	if v.Flaps24h != 1 || v.Outages24h != 0 {
		t.Errorf("24 h counts: %d flaps, %d outages; want 1, 0", v.Flaps24h, v.Outages24h)
	}
	// A line down right now has an open outage (a live event without an
	// end): it counts from its start in every window, once, and in
	// outages_24h; the down state adds nothing to it.
	if _, err := f.db.ExecContext(ctx, `INSERT INTO line_events (circuit_id, kind, started_at, recorded_at, final)
		VALUES ('L2', 'outage', ?, ?, 0)`, ms(now.Add(-2*time.Hour)), ms(now)); err != nil {
		t.Fatal(err)
	}
	views = []LineView{{ID: "L2", State: "down", Since: now.Add(-2 * time.Hour)}}
	if err := m.addFigures(ctx, views); err != nil {
		t.Fatal(err)
	}
	if got, want := views[0].Availability30d, pct(2*time.Hour, 30*day); math.Abs(got-want) > 1e-9 {
		t.Errorf("open outage: 30 d availability %.6f, want %.6f", got, want)
	}
	if views[0].Outages24h != 1 {
		t.Errorf("open outage: outages_24h %d, want 1", views[0].Outages24h)
	}
}
