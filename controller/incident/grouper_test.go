package incident

import (
	"fmt"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func fixedClock() func() time.Time { return func() time.Time { return t0.Add(time.Hour) } }

// card makes a line behind pop/pe1/card<c>/port<p>, probed every second.
func card(id, customer, tier string, c, p int) Line {
	return Line{ID: id, Customer: customer, Tier: tier, Interval: time.Second,
		Path: []string{"pop1", "pop1-pe1", fmt.Sprintf("card%d", c), fmt.Sprintf("card%d-port%d", c, p)}}
}

// cards is the topology of pop1/pop1-pe1 with cards 1..len(ports), card c
// having ports[c-1] ports with one watched line each.
func cards(ports ...int) Topology {
	t := Topology{}
	total := 0
	for i, n := range ports {
		c := fmt.Sprintf("card%d", i+1)
		t[c] = Element{Kind: "card", Watched: n}
		for p := range n {
			t[fmt.Sprintf("%s-port%d", c, p+1)] = Element{Kind: "port", Watched: 1}
		}
		total += n
	}
	t["pop1"] = Element{Kind: "pop", Watched: total}
	t["pop1-pe1"] = Element{Kind: "router", Watched: total}
	return t
}

func newGrouper(topo Topology) *Grouper {
	g := New(Options{Now: fixedClock()})
	g.SetTopology(topo)
	return g
}

func down(l Line, s float64) (Line, linestate.Transition) {
	return l, linestate.Transition{Line: l.ID, From: linestate.Up, To: linestate.Down, Time: at(s)}
}

func up(l Line, s float64) (Line, linestate.Transition) {
	return l, linestate.Transition{Line: l.ID, From: linestate.Down, To: linestate.Up, Time: at(s)}
}

func TestCardFailureIsOneIncident(t *testing.T) {
	g := newGrouper(cards(0, 0, 300))
	var lines []Line
	for i := range 300 {
		lines = append(lines, card(fmt.Sprintf("L%03d", i), fmt.Sprintf("C%02d", i%40), "gold", 3, i))
	}
	var last []Incident
	for i, l := range lines {
		last = g.Apply(down(l, 1+float64(i)*0.003)) // within 0.9 s: probed out of step at 1 s
	}
	open := g.Open()
	if len(open) != 1 {
		t.Fatalf("%d open incidents, want 1", len(open))
	}
	in := open[0]
	if in.Root != "card3" || len(in.Members) != 300 || !in.Start.Equal(at(1)) || in.ID != 1 {
		t.Fatalf("incident root %s, %d lines, start %s, id %d", in.Root, len(in.Members), in.Start, in.ID)
	}
	if n := len(in.Customers()); n != 40 {
		t.Errorf("%d customers, want 40", n)
	}
	if len(last) != 1 || last[0].ID != 1 {
		t.Errorf("last change %v", last)
	}
	for i, l := range lines {
		g.Apply(up(l, 60+float64(i)*0.01))
	}
	if len(g.Open()) != 0 {
		t.Fatal("incident still open after every line recovered")
	}
	ch := g.Apply(down(lines[0], 100))
	if len(ch) != 1 || ch[0].ID != g.NextID()-1 || len(ch[0].Members) != 1 || ch[0].Grouping != nil {
		t.Fatalf("a new failure after the incident closed: %+v", ch)
	}
}

func TestCloseAtLastRecovery(t *testing.T) {
	g := newGrouper(cards(2))
	a, b := card("A", "C1", "diamond", 1, 1), card("B", "C2", "silver", 1, 2)
	g.Apply(down(a, 10))
	g.Apply(down(b, 11.5))
	ch := g.Apply(up(a, 20))
	if len(ch) != 1 || !ch[0].Open() {
		t.Fatalf("closed while B is down: %+v", ch)
	}
	ch = g.Apply(up(b, 25))
	in := ch[0]
	if in.Open() || !in.End.Equal(at(25)) || in.Root != "card1" {
		t.Fatalf("end %s root %s", in.End, in.Root)
	}
	cs := in.Customers()
	if fmt.Sprint(cs) != "[{C1 diamond [A]} {C2 silver [B]}]" {
		t.Errorf("customers %+v", cs)
	}
	want := []string{"opened", "grouped", "root_moved", "joined", "up", "up", "closed"}
	if len(in.Timeline) != len(want) {
		t.Fatalf("timeline %+v", in.Timeline)
	}
	for i, w := range want {
		if in.Timeline[i].What != w {
			t.Errorf("timeline[%d] = %s, want %s", i, in.Timeline[i].What, w)
		}
	}
}

func TestGrouping(t *testing.T) {
	lone := Line{ID: "X"}
	otherPoP := Line{ID: "P", Path: []string{"pop2", "pop2-pe1"}}
	c20 := cards(20)
	cases := []struct {
		name  string
		topo  Topology
		rules map[string]Rule
		feed  func(g *Grouper)
		roots []string // open incidents' roots by id
	}{
		{"lone line is its own incident", c20, nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(lone, 1))
		}, []string{"card1-port1", ""}},
		{"different PoPs stay apart", c20, nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(otherPoP, 1))
		}, []string{"card1-port1", "pop2-pe1"}},
		// Issue 11: two ports of a 20-line card failing 20 s apart are two
		// faults, not the card.
		{"independent failures 20 s apart", c20, nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(card("B", "C", "gold", 1, 2), 20))
		}, []string{"card1-port1", "card1-port2"}},
		// Issue 11: a 5-s flap on a third line 30 s into an outage is not
		// part of that outage.
		{"a flap 30 s into another line's outage", c20, nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			c := card("C", "C", "gold", 1, 3)
			g.Apply(down(c, 30))
			g.Apply(up(c, 35))
		}, []string{"card1-port1"}},
		{"below the share: 3 of 20 within a second", c20, nil, func(g *Grouper) {
			for p := 1; p <= 3; p++ {
				g.Apply(down(card(fmt.Sprint("L", p), "C", "gold", 1, p), float64(p)*0.3))
			}
		}, []string{"card1-port1", "card1-port2", "card1-port3"}},
		{"spread exceeded: 2 of 2 lines 2.5 s apart at 1 s", cards(2), nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(card("B", "C", "gold", 1, 2), 2.5))
		}, []string{"card1-port1", "card1-port2"}},
		{"common cause: 2 of 2 lines within 2 intervals", cards(2), nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(card("B", "C", "gold", 1, 2), 1.9))
		}, []string{"card1"}},
		{"one line is never an element's failure (min_lines 2)", cards(1), nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
		}, []string{"card1-port1"}},
		{"a shared upstream element is not a lone line's root", Topology{"card1": {Kind: "card", Watched: 5}}, nil, func(g *Grouper) {
			g.Apply(down(Line{ID: "A", Path: []string{"card1"}, Interval: time.Second}, 0))
		}, []string{""}},
		{"per-kind share: cards at 10%", c20, map[string]Rule{"card": {Share: 0.1}}, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(card("B", "C", "gold", 1, 2), 0.5))
		}, []string{"card1"}},
		{"per-kind fixed spread: cards 10 s", cards(2), map[string]Rule{"card": {Spread: 10 * time.Second}}, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(card("B", "C", "gold", 1, 2), 8))
		}, []string{"card1"}},
		{"a slowly probed line down earlier does not widen the others' spread", cards(4), nil, func(g *Grouper) {
			slow := card("A", "C", "gold", 1, 1)
			slow.Interval = 10 * time.Second
			g.Apply(down(slow, 0))
			g.Apply(down(card("B", "C", "gold", 1, 2), 10))
			g.Apply(down(card("C", "C", "gold", 1, 3), 15))
		}, []string{"card1-port1", "card1-port2", "card1-port3"}},
		{"slowly probed lines down together: two of their intervals", cards(4), nil, func(g *Grouper) {
			a, c := card("A", "C", "gold", 1, 1), card("C", "C", "gold", 1, 3)
			a.Interval, c.Interval = 10*time.Second, 10*time.Second
			g.Apply(down(a, 0))
			g.Apply(down(card("B", "C", "gold", 1, 2), 0.5))
			g.Apply(down(c, 12))
		}, []string{"card1"}},
		{"two cards of one router meet at the router", cards(2, 2), nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(card("C", "C", "gold", 2, 1), 0.2))
			g.Apply(down(card("B", "C", "gold", 1, 2), 0.4))
			g.Apply(down(card("D", "C", "gold", 2, 2), 0.6))
		}, []string{"pop1-pe1"}},
		{"a card's cause is the card, not the router above it", cards(4, 4), nil, func(g *Grouper) {
			for p := 1; p <= 4; p++ {
				g.Apply(down(card(fmt.Sprint("L", p), "C", "gold", 2, p), float64(p)*0.1))
			}
		}, []string{"card2"}},
		{"late evidence before the start still groups", cards(2), nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 20))
			g.Apply(down(card("B", "C", "gold", 1, 2), 19))
		}, []string{"card1"}},
		{"a failing card takes its later lines within the window", cards(3), nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(card("B", "C", "gold", 1, 2), 0.5))
			g.Apply(down(card("C", "C", "gold", 1, 3), 20))
		}, []string{"card1"}},
		{"no topology: no common cause", nil, nil, func(g *Grouper) {
			g.Apply(down(card("A", "C", "gold", 1, 1), 0))
			g.Apply(down(card("B", "C", "gold", 1, 2), 0.1))
		}, []string{"card1-port1", "card1-port2"}},
		{"repeated down is ignored", c20, nil, func(g *Grouper) {
			g.Apply(down(lone, 0))
			g.Apply(down(lone, 1))
		}, []string{""}},
		{"unknown is not recovery", c20, nil, func(g *Grouper) {
			g.Apply(down(lone, 0))
			g.Apply(lone, linestate.Transition{Line: "X", From: linestate.Down, To: linestate.Unknown, Time: at(5)})
		}, []string{""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := New(Options{Now: fixedClock(), Rules: tc.rules})
			g.SetTopology(tc.topo)
			tc.feed(g)
			open := g.Open()
			var roots []string
			for _, in := range open {
				roots = append(roots, in.Root)
				if (in.Grouping != nil) != (in.Root == "card1" || in.Root == "card2" || in.Root == "pop1-pe1") {
					t.Errorf("incident %d rooted at %q with grouping %+v", in.ID, in.Root, in.Grouping)
				}
			}
			if fmt.Sprint(roots) != fmt.Sprint(tc.roots) {
				t.Fatalf("roots %q, want %q", roots, tc.roots)
			}
		})
	}
}

func TestFlappingIncident(t *testing.T) {
	g := New(Options{Now: fixedClock()})
	a := card("A", "C", "gold", 1, 1)
	g.Apply(down(a, 0))
	ch := g.Apply(a, linestate.Transition{Line: "A", From: linestate.Down, To: linestate.Flapping, Time: at(30)})
	if len(ch) != 2 || ch[0].Open() || ch[1].Kind != Flapping || !ch[1].Open() {
		t.Fatalf("down → flapping: %+v", ch)
	}
	// While flapping the line joins no outage incident of its card.
	ch = g.Apply(a, linestate.Transition{Line: "A", From: linestate.Flapping, To: linestate.Up, Time: at(3600)})
	if len(ch) != 1 || ch[0].Open() || !ch[0].End.Equal(at(3600)) || ch[0].Members[0].Line != "A" {
		t.Fatalf("flapping → up: %+v", ch)
	}
	if len(g.Open()) != 0 {
		t.Fatal("open incidents left")
	}
}

// A flapping line that goes silent is unknown, but its flapping incident
// stays open (silence decides nothing) and is the same incident if the line
// is heard again still flapping; it ends when the line is heard not
// flapping.
func TestSilenceKeepsFlappingIncident(t *testing.T) {
	g := New(Options{Now: fixedClock()})
	a := card("A", "C", "gold", 1, 1)
	tr := func(from, to linestate.State, s float64) []Incident {
		return g.Apply(a, linestate.Transition{Line: "A", From: from, To: to, Time: at(s)})
	}
	tr(linestate.Up, linestate.Flapping, 30)
	if ch := tr(linestate.Flapping, linestate.Unknown, 100); len(ch) != 0 {
		t.Fatalf("silence changed incidents: %+v", ch)
	}
	if ch := tr(linestate.Unknown, linestate.Flapping, 500); len(ch) != 0 {
		t.Fatalf("heard again still flapping: %+v", ch)
	}
	tr(linestate.Flapping, linestate.Unknown, 600)
	open := g.Open()
	if len(open) != 1 || open[0].Kind != Flapping || !open[0].Start.Equal(at(30)) {
		t.Fatalf("want the one flapping incident open through the silences, got %+v", open)
	}
	ch := tr(linestate.Unknown, linestate.Up, 4000)
	if len(ch) != 1 || ch[0].ID != open[0].ID || ch[0].Open() || !ch[0].End.Equal(at(4000)) {
		t.Fatalf("heard again up: %+v", ch)
	}
	if len(g.Open()) != 0 || g.NextID() != open[0].ID+1 {
		t.Fatal("more than one flapping incident, or one left open")
	}
}

func TestRestore(t *testing.T) {
	g := newGrouper(cards(2))
	a, b := card("A", "C", "gold", 1, 1), card("B", "C", "gold", 1, 2)
	g.Apply(down(a, 0))
	saved := g.Open()

	g2 := newGrouper(cards(2))
	g2.Restore(saved)
	if g2.NextID() != 2 {
		t.Fatalf("next id %d", g2.NextID())
	}
	g2.Apply(down(b, 1)) // completes the common cause with the restored incident
	ch := g2.Apply(up(a, 10))
	ch = append(ch, g2.Apply(up(b, 11))...)
	last := ch[len(ch)-1]
	if last.ID != 1 || last.Open() || len(last.Members) != 2 || last.Root != "card1" {
		t.Fatalf("restored incident: %+v", last)
	}
}

func TestTimelineBounded(t *testing.T) {
	g := newGrouper(cards(2))
	a, b := card("A", "C", "gold", 1, 1), card("B", "C", "gold", 1, 2)
	g.Apply(down(a, 0)) // keeps the incident open
	g.Apply(down(b, 1))
	for i := range MaxTimeline {
		g.Apply(up(b, 2+float64(i)))
		g.Apply(down(b, 2.5+float64(i)))
	}
	in := g.Open()[0]
	if len(in.Timeline) != MaxTimeline || in.Dropped == 0 {
		t.Fatalf("timeline %d entries, %d dropped", len(in.Timeline), in.Dropped)
	}
}

// A grouper with an ID block of its own (several controllers on one
// database) keeps counting in its block after restoring an incident
// numbered in another block, never past it.
func TestRestoreKeepsIDBlock(t *testing.T) {
	g := newGrouper(cards(2))
	a := card("A", "C", "gold", 1, 1)
	g.Apply(down(a, 0))
	other := g.Open() // incident 1, another controller's block
	other[0].ID = 9 << 32

	g2 := New(Options{Window: 30 * time.Second, Now: g.opts.Now, FirstID: 2 << 32, LastID: 3 << 32})
	g2.SetTopology(cards(2))
	g2.Restore(other)
	if g2.NextID() != 2<<32 {
		t.Fatalf("next id %d, want %d: the block's first", g2.NextID(), int64(2<<32))
	}
	mine := other
	mine[0].ID = 2<<32 + 5
	g2.Restore(mine)
	if g2.NextID() != 2<<32+6 {
		t.Fatalf("next id %d after restoring one of its own block", g2.NextID())
	}
}
