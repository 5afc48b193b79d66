package complaints

import (
	"context"
	"slices"
	"testing"
	"time"
)

// Each verdict from the seeded scenario, with the evidence that makes it
// and the way the complaint was linked.
func TestLinkingScenarioVerdicts(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	clk := &clock{t: t0.Add(10 * 24 * time.Hour)}
	s := newStore(t, db, clk)
	put(t, s,
		Intake{ID: "A", ReceivedAt: t0, CustomerID: "c1", Category: LineInterruption},
		Intake{ID: "B", ReceivedAt: t0.Add(28 * time.Hour), Phone: "13800138000", Category: Slow},
		Intake{ID: "C", ReceivedAt: t0.Add(5 * 24 * time.Hour), CircuitID: "L2", Category: NoService,
			ClosedAt: tptr(t0.Add(5*24*time.Hour + time.Hour))},
		Intake{ID: "D", ReceivedAt: t0, CustomerID: "c3", Category: Other},
		Intake{ID: "E", ReceivedAt: t0.Add(8 * 24 * time.Hour), Lat: fptr(31.2301), Lon: fptr(121.4702), Category: Slow},
		Intake{ID: "F", ReceivedAt: t0, Lat: fptr(40.0), Lon: fptr(116.0), Category: WeakSignal},
		Intake{ID: "G", ReceivedAt: t0, CustomerID: "nobody-knows", Category: Other},
	)
	cases := []struct {
		id, customer, by, site string
		lines                  []string
		verdict                Verdict
		evidence               []string
	}{
		{"A", "c1", "customer_id", "s1", []string{"L1"}, Confirmed, []string{"outage:L1", "incident:L1"}},
		{"B", "c2", "phone", "s2", []string{"L2"}, Degraded, []string{"degraded:L2"}},
		{"C", "c2", "circuit_id", "s2", []string{"L2"}, NotObserved, []string{"healthy:L2"}},
		{"D", "c3", "customer_id", "", []string{"L3"}, NotMonitored, []string{"unmonitored_line:L3"}},
		{"E", "c1", "coordinates", "s1", []string{"L1"}, NotObserved, []string{"healthy:L1"}},
		{"F", "", "", "", []string{}, NotMonitored, nil},
		{"G", "", "", "", []string{}, NotMonitored, nil},
	}
	for _, tc := range cases {
		c := get(t, s, tc.id)
		if c.LinkedCustomer != tc.customer || c.LinkedBy != tc.by || c.Site != tc.site || !slices.Equal(c.Lines, tc.lines) {
			t.Errorf("%s linked to customer %q by %q site %q lines %v, want %q by %q site %q lines %v", tc.id,
				c.LinkedCustomer, c.LinkedBy, c.Site, c.Lines, tc.customer, tc.by, tc.site, tc.lines)
		}
		if c.Verdict != tc.verdict || !slices.Equal(kinds(c.Evidence), tc.evidence) {
			t.Errorf("%s: %s with %v, want %s with %v", tc.id, c.Verdict, kinds(c.Evidence), tc.verdict, tc.evidence)
		}
	}
	a := get(t, s, "A")
	if a.RecoveredAt == nil || !a.RecoveredAt.Equal(t0.Add(-15*time.Minute)) {
		t.Errorf("A recovered at %v, want the incident's end %v", a.RecoveredAt, t0.Add(-15*time.Minute))
	}
	if a.Evidence[0].EventID == 0 || a.Evidence[1].Incident != 1 {
		t.Errorf("A's evidence does not link the event and incident 1: %+v", a.Evidence)
	}
	if b := get(t, s, "B"); *b.Evidence[0].LossPct != 4.5 || *b.Evidence[0].RTTMs != 180 {
		t.Errorf("B's degradation figures: %+v", b.Evidence[0])
	}
	if f := get(t, s, "F"); f.Cell != Geohash(40, 116, 7) || len(f.Cell) != 7 {
		t.Errorf("F's cell %q, want the geohash of its coordinates", f.Cell)
	}
	if c := get(t, s, "C"); c.Cell != Geohash(31.30, 121.50, 7) {
		t.Errorf("C's cell %q, want its site's", c.Cell)
	}
}

// Late evidence: a CPE's spooled results commit an outage on L2 inside C's
// window after C was judged not_observed; the next re-evaluation confirms
// it. An open incident leaves no recovery time; when it closes, the
// complaint records when.
func TestLateEvidenceConfirmsAndRecovery(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	received := t0.Add(5 * 24 * time.Hour)
	clk := &clock{t: received.Add(time.Minute)}
	s := newStore(t, db, clk)
	put(t, s, Intake{ID: "C", ReceivedAt: received, CircuitID: "L2", Category: NoService})
	if c := get(t, s, "C"); c.Verdict != NotObserved {
		t.Fatalf("C before late evidence: %s %v", c.Verdict, kinds(c.Evidence))
	}
	down := received.Add(-2 * time.Hour)
	exec(t, db, `INSERT INTO line_events (circuit_id, kind, started_at, recorded_at) VALUES ('L2', 'outage', ?, ?)`,
		ms(down), ms(clk.t))
	exec(t, db, `INSERT INTO incidents (id, kind, started_at, lines, customers, timeline, updated_at)
		VALUES (7, 'outage', ?, '[]', '[]', '[]', ?)`, ms(down), ms(clk.t))
	exec(t, db, `INSERT INTO incident_lines (incident_id, circuit_id, customer_id) VALUES (7, 'L2', 'c2')`)
	clk.t = clk.t.Add(time.Minute)
	if n, err := s.Reevaluate(context.Background()); err != nil || n != 1 {
		t.Fatalf("Reevaluate: %d, %v", n, err)
	}
	c := get(t, s, "C")
	if c.Verdict != Confirmed || !slices.Equal(kinds(c.Evidence), []string{"outage:L2", "incident:L2"}) {
		t.Fatalf("C after late evidence: %s %v, want confirmed by the outage and incident 7", c.Verdict, kinds(c.Evidence))
	}
	if c.RecoveredAt != nil {
		t.Errorf("C recovered at %v while its incident is open", c.RecoveredAt)
	}
	up := received.Add(3 * time.Hour)
	exec(t, db, `UPDATE line_events SET ended_at = ? WHERE circuit_id = 'L2' AND kind = 'outage'`, ms(up.Add(-time.Minute)))
	exec(t, db, `UPDATE incidents SET ended_at = ? WHERE id = 7`, ms(up))
	clk.t = up.Add(time.Minute)
	if _, err := s.Reevaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c := get(t, s, "C"); c.RecoveredAt == nil || !c.RecoveredAt.Equal(up) {
		t.Errorf("C recovered at %v, want the incident's close %v", c.RecoveredAt, up)
	}
}

// A re-evaluation round judges at most MaxPerRound complaints, those
// evaluated longest ago first: the one left out of a round is first in
// the next.
func TestReevaluateRoundsAreBounded(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	clk := &clock{t: t0.Add(time.Hour)}
	s, err := New(Options{DB: db, Now: clk.now, MaxPerRound: 2}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, Intake{ID: "a", ReceivedAt: t0, CustomerID: "c1", Category: Slow},
		Intake{ID: "b", ReceivedAt: t0, CustomerID: "c1", Category: Slow},
		Intake{ID: "c", ReceivedAt: t0, CustomerID: "c1", Category: Slow})
	var rounds []string
	for round := 0; round < 2; round++ {
		clk.t = clk.t.Add(time.Minute)
		if n, err := s.Reevaluate(context.Background()); err != nil || n != 2 {
			t.Fatalf("round %d: %d, %v", round, n, err)
		}
		got := ""
		for _, id := range []string{"a", "b", "c"} {
			if c := get(t, s, id); c.EvaluatedAt.Equal(clk.t) {
				got += id
			}
		}
		rounds = append(rounds, got)
	}
	if !slices.Equal(rounds, []string{"ab", "ac"}) {
		t.Errorf("rounds evaluated %v, want [ab ac]: c, left out of the first, in the second", rounds)
	}
}

// A complaint placed at a line's far end (its Z-end site, watched from
// both ends) is linked to that line.
func TestLinkByCoordinatesToZEnd(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	exec(t, db, `INSERT INTO sites (id, customer_id, kind, name, lat, lon) VALUES ('s2z', 'c2', 'cpe', 'Two branch', 31.10, 121.30)`)
	exec(t, db, `UPDATE lines SET z_end_site = 's2z' WHERE circuit_id = 'L2'`)
	s := newStore(t, db, &clock{t: t0.Add(time.Hour)})
	put(t, s, Intake{ID: "Z", ReceivedAt: t0, Lat: fptr(31.1001), Lon: fptr(121.3001), Category: Slow})
	if c := get(t, s, "Z"); c.Site != "s2z" || !slices.Equal(c.Lines, []string{"L2"}) || c.LinkedCustomer != "c2" {
		t.Errorf("Z linked to site %q lines %v customer %q", c.Site, c.Lines, c.LinkedCustomer)
	}
}
