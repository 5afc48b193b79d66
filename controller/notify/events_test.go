package notify

import (
	"strings"
	"testing"
	"time"
)

// Degradations longer than the tier's degraded_after and weak coverage at
// a customer's sites are told once each (issue 13 "Rules"): a shorter
// degradation, a silver customer's (no rule), an outage row and history
// from before the first read tell nobody; reading the same events again
// (a crash before the cursor's commit) writes nothing twice.
func TestDegradationAndWeakCoverageRules(t *testing.T) {
	r := newRig(t, emailOnly(), nil)
	r.customer("D1", "diamond", "ann@d1.example", "en")
	r.customer("S1", "silver", "bo@s1.example", "en")
	r.exec(`INSERT INTO sites (id, customer_id, kind, name, lat, lon, grid_cell) VALUES
		('d1-hq', 'D1', 'cpe', 'D1 HQ', 31.23, 121.47, 'wtw3sjq'), ('s1-hq', 'S1', 'cpe', 'S1 HQ', 31.23, 121.47, 'wtw3sjq')`)
	r.exec(`INSERT INTO lines (circuit_id, customer_id, a_end_site) VALUES ('L1', 'D1', 'd1-hq'), ('L2', 'D1', 'd1-hq'), ('L3', 'S1', 's1-hq')`)
	deg := func(line, kind string, start time.Time, d time.Duration) {
		r.exec(`INSERT INTO line_events (circuit_id, kind, started_at, ended_at, duration_s, loss_pct, recorded_at)
			VALUES (?, ?, ?, ?, ?, 3.5, ?)`, line, kind, start.UnixMilli(), start.Add(d).UnixMilli(), d.Seconds(), r.clock().UnixMilli())
	}
	deg("L1", "degraded", t0.Add(-48*time.Hour), time.Hour) // history before the first read
	if err := r.n.PollEvents(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.at(t0.Add(time.Hour))
	deg("L1", "degraded", t0, 5*time.Minute)                      // shorter than diamond's 10 min
	deg("L2", "degraded", t0.Add(10*time.Minute), 20*time.Minute) // told
	deg("L3", "degraded", t0, time.Hour)                          // silver: no degradation rule
	deg("L2", "outage", t0.Add(40*time.Minute), 2*time.Minute)    // incidents tell of outages
	r.exec(`INSERT INTO coverage_events (cell, started_at, min_score, reason) VALUES ('wtw3sjq', ?, 31, 'rsrp_dbm')`,
		t0.Add(30*time.Minute).UnixMilli())
	for range 2 {
		if err := r.n.PollEvents(r.ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.exec(`UPDATE notify_cursors SET pos = 0`) // as if the commit had been lost
	if err := r.n.PollEvents(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.send()
	msgs := r.sink.Messages()
	if len(msgs) != 2 {
		var subj []string
		for _, m := range msgs {
			subj = append(subj, m.To[0]+": "+m.Subject)
		}
		t.Fatalf("%d messages, want 2 (D1's degradation of L2 and weak coverage): %v", len(msgs), subj)
	}
	var gotDeg, gotCov bool
	for _, m := range msgs {
		text := m.Subject + "\n" + m.Text()
		if m.To[0] != "ann@d1.example" {
			t.Errorf("message to %v", m.To)
		}
		switch {
		case strings.Contains(m.Subject, "Degraded service"):
			gotDeg = true
			for _, w := range []string{"L2", "20 min 0 s", "3.5 %", "DEG-"} {
				if !strings.Contains(text, w) {
					t.Errorf("degradation message lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "L1") {
				t.Errorf("degradation message names L1 (5 min, below the rule):\n%s", text)
			}
		case strings.Contains(m.Subject, "Weak mobile coverage"):
			gotCov = true
			for _, w := range []string{"wtw3sjq", "d1-hq", "COV-", "Sites (1)"} {
				if !strings.Contains(text, w) {
					t.Errorf("weak-coverage message lacks %q:\n%s", w, text)
				}
			}
		}
	}
	if !gotDeg || !gotCov {
		t.Errorf("degradation told %v, weak coverage told %v", gotDeg, gotCov)
	}
}
