package notify

import (
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
)

// A diamond line's own incident is dispatched; then it turns out to share
// a card's cause with an older gold line's incident, which becomes the
// card's incident and takes it in (merged). The first contact is not paged
// a second time for the same outage, and the escalation goes on from the
// first page (due 4 s): the second contact at that page + 20 min, once.
func TestMergedIncidentNotDispatchedTwice(t *testing.T) {
	rules := emailOnly()
	d := rules["diamond"]
	d.OutageAfter = time.Second
	rules["diamond"] = d
	r := newRig(t, rules, func(o *Options) {
		o.Dispatch = &Dispatch{First: OpsContact{Name: "First", Email: "first@noc.example", Language: "en"},
			Second: OpsContact{Name: "Second", Email: "second@noc.example", Language: "en"},
			Lead:   OpsContact{Name: "Lead", Email: "lead@noc.example"}}
	})
	r.grp.SetTopology(incident.Topology{"card-1": {Kind: "card", Watched: 6}})
	r.customer("G1", "gold", "g@g1.example", "en")
	r.customer("D2", "diamond", "d@d2.example", "en")
	r.customer("G3", "gold", "g@g3.example", "en")
	line := func(id, c, tier string) incident.Line {
		return incident.Line{ID: id, Customer: c, Tier: tier, Path: []string{"pop-1", "card-1"}, Interval: 10 * time.Second}
	}
	r.line(line("L1", "G1", "gold"), linestate.Down, t0)
	r.line(line("L2", "D2", "diamond"), linestate.Down, t0.Add(3*time.Second))
	r.at(t0.Add(5 * time.Second))
	r.send()
	if got := to(r.sink.Messages(), "first@noc.example"); len(got) != 1 {
		t.Fatalf("first contact before the merge: %q, want one page (L2's incident)", got)
	}
	r.line(line("L3", "G3", "gold"), linestate.Down, t0.Add(6*time.Second))
	if open := r.grp.Open(); len(open) != 1 || len(open[0].Members) != 3 || open[0].ID != 1 {
		t.Fatalf("open incidents %+v, want incident 1 (the card's) with three lines", open)
	}
	r.at(t0.Add(time.Minute))
	r.send()
	if got := to(r.sink.Messages(), "first@noc.example"); len(got) != 1 {
		t.Errorf("first contact after the merge: %d pages %q, want still one", len(got), got)
	}
	r.at(t0.Add(20*time.Minute + 3*time.Second))
	r.send()
	if got := to(r.sink.Messages(), "second@noc.example"); len(got) != 0 {
		t.Errorf("second contact before the first page + 20 min: %q", got)
	}
	r.at(t0.Add(20*time.Minute + 4*time.Second))
	r.send()
	if got := to(r.sink.Messages(), "second@noc.example"); len(got) != 1 {
		t.Errorf("second contact at the first page + 20 min: %q, want one", got)
	}
}

// Inside a maintenance window the on-call team is not paged for the
// window's lines (ops rules still tell ops, marked planned; see
// TestMaintenanceWindow); an incident over before the window's end pages
// nobody ever; one still open at the window's end (an overrun) is paged
// then, as an incident would be.
func TestDispatchHeldInMaintenanceWindow(t *testing.T) {
	r := dispatchRig(t)
	r.customer("D1", "diamond", "c@d1.example", "en")
	r.exec(`INSERT INTO lines (circuit_id, customer_id) VALUES ('L1', 'D1')`)
	end := t0.Add(time.Hour)
	if _, err := r.n.CreateWindow(r.ctx, Window{Title: "cutover", Start: t0.Add(-time.Minute), End: end, Lines: []string{"L1"}}); err != nil {
		t.Fatal(err)
	}
	l := incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}
	r.line(l, linestate.Down, t0)
	r.at(t0.Add(time.Minute))
	r.send()
	r.line(l, linestate.Up, t0.Add(10*time.Minute))
	r.at(t0.Add(2 * time.Hour))
	r.send()
	if got := to(r.sink.Messages(), "first@noc.example"); len(got) != 0 {
		t.Fatalf("planned outage over inside its window paged the on-call: %q", got)
	}

	r.line(l, linestate.Down, t0.Add(50*time.Minute)) // still inside the window
	r.at(end.Add(-time.Second))
	r.send()
	if got := to(r.sink.Messages(), "first@noc.example"); len(got) != 0 {
		t.Fatalf("paged before the window's end: %q", got)
	}
	r.at(end)
	r.send()
	if got := to(r.sink.Messages(), "first@noc.example"); len(got) != 1 {
		t.Fatalf("overrun: first contact has %q, want one page at the window's end", got)
	}
}
