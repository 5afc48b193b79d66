package complaints

import (
	"testing"
	"time"
)

// A live outage that line health retracted (late results showed the line
// answered: controller/linehealth, live.go) is no evidence: the complaint
// stays not observed.
func TestRetractedEventIsNoEvidence(t *testing.T) {
	db := openDB(t)
	seed(t, db)
	received := t0.Add(5 * 24 * time.Hour)
	clk := &clock{t: received.Add(time.Minute)}
	down := received.Add(-2 * time.Hour)
	exec(t, db, `INSERT INTO line_events (circuit_id, kind, started_at, ended_at, recorded_at, final, retracted_at)
		VALUES ('L2', 'outage', ?, ?, ?, 0, ?)`, ms(down), ms(down.Add(5*time.Minute)), ms(clk.t), ms(clk.t))
	s := newStore(t, db, clk)
	put(t, s, Intake{ID: "C", ReceivedAt: received, CircuitID: "L2", Category: NoService})
	if c := get(t, s, "C"); c.Verdict != NotObserved {
		t.Fatalf("C with only a retracted outage: %s %v, want not_observed", c.Verdict, kinds(c.Evidence))
	}
}
