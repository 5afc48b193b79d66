package complaints

import (
	"slices"
	"testing"
	"time"
)

// A weak-signal complaint from a cell that coverage found weak in the
// window is degraded, with the weak-coverage event attached; one from a
// cell coverage scores well is not_observed (the score is the proof); a
// cell nothing measures leaves the place not_monitored.
func TestWeakCoverageEvidence(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	clk := &clock{t: t0.Add(time.Hour)}
	s := newStore(t, db, clk)
	weak, good := Geohash(31.24, 121.48, 7), Geohash(31.40, 121.60, 7)
	exec(t, db, `INSERT INTO coverage_events (cell, started_at, ended_at, min_score, reason) VALUES (?, ?, NULL, 12, 'rsrp_dbm')`,
		weak, ms(t0.Add(-3*time.Hour)))
	exec(t, db, `INSERT INTO coverage_cells (cell, score, weak, evaluated_at) VALUES (?, 12, 1, ?), (?, 85, 0, ?)`,
		weak, ms(t0), good, ms(t0))
	put(t, s,
		Intake{ID: "W", ReceivedAt: t0, Lat: fptr(31.24), Lon: fptr(121.48), Category: WeakSignal},
		Intake{ID: "G", ReceivedAt: t0, Lat: fptr(31.40), Lon: fptr(121.60), Category: WeakSignal},
		Intake{ID: "N", ReceivedAt: t0, Lat: fptr(30.00), Lon: fptr(120.00), Category: WeakSignal},
	)
	// A cell coverage never scored but agents measure (a hotspot's
	// comparison tests) is monitored: not_observed, with the count.
	measured := Geohash(31.50, 121.70, 7)
	for i, test := range []string{"http_ttfb_ms", "http_ttfb_ms", "ping_rtt_ms"} {
		exec(t, db, `INSERT INTO cell_samples (cell, test, network, site, agent, target, t_ms, value) VALUES (?, ?, 'ours', 'h', 'a', 'x', ?, 10)`,
			measured, test, ms(t0.Add(-time.Duration(i+1)*time.Hour)))
	}
	put(t, s, Intake{ID: "M", ReceivedAt: t0, Lat: fptr(31.50), Lon: fptr(121.70), Category: Slow})
	if c := get(t, s, "M"); c.Verdict != NotObserved || len(c.Evidence) != 1 ||
		c.Evidence[0].Note != "3 measurements of the cell in the window (http_ttfb_ms,ping_rtt_ms), none judged weak" {
		t.Errorf("M: %s %+v", c.Verdict, c.Evidence)
	}
	cell := func(ev []Evidence) []string {
		var out []string
		for _, e := range ev {
			out = append(out, e.Kind+":"+e.Cell)
		}
		return out
	}
	if c := get(t, s, "W"); c.Verdict != Degraded || !slices.Equal(cell(c.Evidence), []string{"weak_coverage:" + weak}) ||
		c.Evidence[0].Note != "cell below the weak score (lowest 12): rsrp_dbm" {
		t.Errorf("W: %s %+v", c.Verdict, c.Evidence)
	}
	if c := get(t, s, "G"); c.Verdict != NotObserved || !slices.Equal(cell(c.Evidence), []string{"coverage_ok:" + good}) {
		t.Errorf("G: %s %+v", c.Verdict, c.Evidence)
	}
	if c := get(t, s, "N"); c.Verdict != NotMonitored {
		t.Errorf("N: %s %+v", c.Verdict, c.Evidence)
	}
}
