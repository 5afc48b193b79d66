package incident

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
)

func flapping(l Line, s float64) (Line, linestate.Transition) {
	return l, linestate.Transition{Line: l.ID, From: linestate.Up, To: linestate.Flapping, Time: at(s)}
}

// Issue 11: a card fails while one of its lines is already down and
// another flapping: one incident with every line, each with the state it
// was in; the earlier incidents stay open for their own cause, linked.
func TestCommonCauseListsAffected(t *testing.T) {
	g := newGrouper(cards(4))
	l1, l2 := card("L1", "C1", "gold", 1, 1), card("L2", "C2", "gold", 1, 2)
	l3, l4 := card("L3", "C3", "gold", 1, 3), card("L4", "C4", "gold", 1, 4)
	g.Apply(down(l1, 0))      // #1: its own outage
	g.Apply(flapping(l2, 10)) // #2: flapping
	g.Apply(down(l3, 40))     // #3
	ch := g.Apply(down(l4, 40.4))
	var card *Incident
	for i := range ch {
		if ch[i].Root == "card1" {
			card = &ch[i]
		}
	}
	if card == nil || card.ID != 3 || card.Grouping == nil {
		t.Fatalf("no card incident among the changes: %+v", ch)
	}
	got := map[string]string{}
	for _, m := range card.Members {
		got[m.Line] = fmt.Sprintf("%s/%s/#%d/%s", m.Role, m.Prior, m.PriorIncident, m.Down.Sub(t0))
	}
	want := map[string]string{"L1": "affected/down/#1/0s", "L2": "affected/flapping/#2/10s", "L3": "//#0/40s", "L4": "//#0/40.4s"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("members %v, want %v", got, want)
	}
	gr := *card.Grouping
	if gr.Element != "card1" || gr.Kind != "card" || gr.Lines != 2 || gr.Watched != 4 || gr.SpreadMS != 400 || gr.AllowedMS != 2000 {
		t.Errorf("grouping %+v", gr)
	}
	var notes []string
	for _, e := range card.Timeline {
		notes = append(notes, e.What+" "+e.Line+": "+e.Note)
	}
	text := strings.Join(notes, "\n")
	for _, w := range []string{
		"grouped : 2 of 4 watched lines on card card1 down within 400ms (common cause: at most 2s apart, at least 50% and 2 lines)",
		"affected L1: already down since 09:00:00.000Z (incident #1), listed as affected",
		"affected L2: already flapping since 09:00:10.000Z (incident #2), listed as affected",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("timeline lacks %q:\n%s", w, text)
		}
	}
	open := g.Open()
	if len(open) != 3 {
		t.Fatalf("open %d incidents, want L1's, L2's and the card's", len(open))
	}
	for _, in := range open[:2] {
		if last := in.Timeline[len(in.Timeline)-1]; last.What != "linked" || !strings.Contains(last.Note, "#3: card card1 failed") {
			t.Errorf("incident %d not linked to the card's: %+v", in.ID, last)
		}
	}
	// The card's incident ends with the lines that failed with it; L1's
	// own fault outlives it.
	g.Apply(up(l3, 60))
	ch = g.Apply(up(l4, 61))
	if len(ch) != 1 || ch[0].ID != 3 || ch[0].Open() || !ch[0].End.Equal(at(61)) {
		t.Fatalf("card incident at the card's recovery: %+v", ch)
	}
	if open := g.Open(); len(open) != 2 || open[0].ID != 1 || !open[0].Open() {
		t.Fatalf("L1's own incident must stay open: %+v", open)
	}
}

// The lines' own incidents opened before the common cause was known are
// merged into the oldest one, which becomes the element's incident.
func TestPromotionMergesOwnIncidents(t *testing.T) {
	g := newGrouper(cards(6))
	var changed []Incident
	for p := 1; p <= 6; p++ {
		changed = append(changed, g.Apply(down(card(fmt.Sprint("L", p), "C", "gold", 1, p), float64(p)*0.1))...)
	}
	open := g.Open()
	if len(open) != 1 || open[0].ID != 1 || open[0].Root != "card1" || len(open[0].Members) != 6 || !open[0].Start.Equal(at(0.1)) {
		t.Fatalf("open %+v", open)
	}
	merged := map[int64]Incident{}
	for _, in := range changed {
		if in.MergedInto != 0 {
			merged[in.ID] = in
		}
	}
	// L1 (#1) and L2 (#2) opened their own; L3 made 3 of 6: #2 merged
	// into #1; L4..L6 joined the card's incident.
	if len(merged) != 1 || merged[2].MergedInto != 1 || merged[2].End.IsZero() || g.NextID() != 3 {
		t.Fatalf("merged %+v, next id %d", merged, g.NextID())
	}
}

// Replay determinism: a grouper restored at any point from the incidents
// stored so far (as the Monitor does after a restart: JSON through the
// database) ends with the same incidents as one that ran through.
func TestReplayDeterministic(t *testing.T) {
	topo := cards(4, 4)
	type step struct {
		l  Line
		tr linestate.Transition
	}
	ln := func(c, p int) Line { return card(fmt.Sprintf("c%dp%d", c, p), fmt.Sprint("C", p), "gold", c, p) }
	var steps []step
	add := func(l Line, tr linestate.Transition) { steps = append(steps, step{l, tr}) }
	add(down(ln(1, 1), 0))     // own fault, stays down
	add(flapping(ln(1, 2), 5)) // flapping
	add(down(ln(2, 1), 20))    // independent
	add(down(ln(1, 3), 40))    // card 1 fails: with c1p4 2 of 4
	add(down(ln(1, 4), 40.7))  //
	add(down(ln(2, 2), 40.3))  // late evidence, other card: 3 of 8 at the router
	add(down(ln(2, 3), 41))    // 4 of 8 within 2 s at the router: promoted
	add(up(ln(2, 1), 50))      //
	add(down(ln(2, 4), 55))    // within the window: joins
	add(up(ln(1, 3), 70))      //
	add(up(ln(1, 4), 70.5))    //
	add(up(ln(2, 2), 71))      //
	add(up(ln(2, 3), 71))      //
	add(up(ln(2, 4), 72))      //
	add(down(ln(1, 3), 100))   // a new, lone failure
	add(up(ln(1, 1), 120))     //
	run := func(g *Grouper, steps []step, into map[int64]Incident) {
		for _, s := range steps {
			for _, in := range g.Apply(s.l, s.tr) {
				into[in.ID] = in
			}
		}
	}
	want := map[int64]Incident{}
	ref := newGrouper(topo)
	run(ref, steps, want)
	wantJSON, _ := json.Marshal(want)
	for cut := range len(steps) + 1 {
		got := map[int64]Incident{}
		g1 := newGrouper(topo)
		run(g1, steps[:cut], got)
		var stored []Incident
		b, _ := json.Marshal(g1.Open())
		if err := json.Unmarshal(b, &stored); err != nil {
			t.Fatal(err)
		}
		g2 := New(Options{Now: fixedClock(), FirstID: g1.NextID()})
		g2.SetTopology(topo)
		g2.Restore(stored)
		run(g2, steps[cut:], got)
		if gotJSON, _ := json.Marshal(got); string(gotJSON) != string(wantJSON) {
			t.Fatalf("restored after step %d:\n got %s\nwant %s", cut, gotJSON, wantJSON)
		}
	}
	// What the script must have produced, so the comparison means something.
	var router *Incident
	for _, in := range want {
		if in.Root == "pop1-pe1" {
			router = &in
		}
	}
	if router == nil || router.Open() || router.Grouping.Lines != 4 {
		t.Fatalf("no closed router incident of 4 lines: %s", wantJSON)
	}
	roles := map[string]string{}
	for _, m := range router.Members {
		roles[m.Line] = m.Role + m.Prior
	}
	if fmt.Sprint(roles) != "map[c1p1:affecteddown c1p2:affectedflapping c1p3: c1p4: c2p1:affecteddown c2p2: c2p3: c2p4:]" {
		t.Errorf("router incident members %v", roles)
	}
}

// A PoP losing 5,000 lines at once is one incident, and grouping them
// stays linear enough to run inside the commit of each result batch.
func TestPoPOutageAtScale(t *testing.T) {
	const n = 5000
	topo := Topology{"pop1": {Kind: "pop", Watched: n}}
	var lines []Line
	for i := range n {
		c, p := fmt.Sprintf("pe%d-card%d", i%10, i%50), fmt.Sprintf("port%d", i)
		topo[fmt.Sprintf("pe%d", i%10)] = Element{Kind: "router", Watched: n / 10}
		topo[c] = Element{Kind: "card", Watched: n / 50}
		topo[p] = Element{Kind: "port", Watched: 1}
		lines = append(lines, Line{ID: fmt.Sprint("L", i), Interval: time.Second, Path: []string{"pop1", fmt.Sprintf("pe%d", i%10), c, p}})
	}
	g := newGrouper(topo)
	for i, l := range lines {
		g.Apply(down(l, float64(i)*0.0002)) // within one second
	}
	open := g.Open()
	if len(open) != 1 || open[0].Root != "pop1" || len(open[0].Members) != n {
		roots := map[string]int{}
		for _, in := range open {
			roots[in.Root]++
		}
		t.Fatalf("%d open incidents by root %v, want one at pop1 with %d lines", len(open), roots, n)
	}
}
