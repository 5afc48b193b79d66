package linehealth

import (
	"context"
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// TestOutageLearntLateOpensIncident: the only agent watching L1 goes quiet
// (its uplink is L1), so L1 is unknown, not down, and no incident opens;
// two minutes later its spool arrives with a 90-s outage in it. Once the
// outage is final an incident covering exactly it exists, closed, and
// replaying the spool again does not open a second one.
func TestOutageLearntLateOpensIncident(t *testing.T) {
	f := newFixture(t)
	f.opts.Detector.Horizon = 3 * time.Minute // the spool must arrive within it
	m := f.monitor(t)
	ctx := context.Background()
	f.feed(t, m, 0, 10, nil, 0, 0)
	quiet := func(d time.Duration) {
		t.Helper()
		end := f.now.Add(d)
		for f.now.Before(end) {
			f.now = f.now.Add(time.Second)
			if err := m.tick(ctx, f.now); err != nil {
				t.Fatal(err)
			}
		}
	}
	quiet(2 * time.Minute)
	if st, _ := m.det.State("L1"); st.State.String() != "unknown" {
		t.Fatalf("L1 is %s while its agent is quiet, want unknown", st.State)
	}
	var spool []result.Result
	for s := 10; s < 130; s++ {
		spool = append(spool, ping("L1", f.t0.Add(time.Duration(s)*time.Second), s < 20 || s >= 110))
	}
	for range 2 { // delivered twice: at-least-once
		if err := m.Handle(ctx, "agent-1", spool); err != nil {
			t.Fatal(err)
		}
		quiet(4 * time.Minute) // past the horizon: the outage is final
	}
	incs, _, err := f.reads(t).Incidents(ctx, AllCustomers, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 1 {
		t.Fatalf("%d incidents, want 1: %+v", len(incs), incs)
	}
	in := incs[0]
	if in.State != "closed" || in.Lines != 1 || !in.Start.Equal(f.t0.Add(20*time.Second)) || !in.End.Equal(f.t0.Add(110*time.Second)) {
		t.Errorf("incident %+v, want L1 closed, 20 s – 110 s", in)
	}

	// An outage seen as it happens opens its incident at once, and its
	// final event does not open another.
	s0 := int(f.now.Sub(f.t0)/time.Second) + 1
	f.feed(t, m, s0, s0+100, map[string]bool{"L2": true}, s0+10, s0+90)
	quiet(4 * time.Minute)
	if incs, _, _ = f.reads(t).Incidents(ctx, AllCustomers, "", 0, 10); len(incs) != 2 {
		t.Fatalf("%d incidents after a live outage, want 2: %+v", len(incs), incs)
	}
}
