package incident

import "testing"

// TestReleaseClosesMovedLinesOutage: a line down in its own outage moves
// away (Release): the outage closes at the release, the member is marked
// moved, not recovered. In a two-line outage the other line still holds
// it open, and its recovery closes it; a restored grouper does not track
// the moved line.
func TestReleaseClosesMovedLinesOutage(t *testing.T) {
	g := newGrouper(cards(0, 0, 300))
	a := card("LA", "C1", "gold", 3, 1)
	g.Apply(down(a, 1))
	out := g.Release("LA", at(5), "moved to partition p3")
	if len(out) != 1 || out[0].Open() || !out[0].End.Equal(at(5)) {
		t.Fatalf("release of a single-line outage: %+v, want it closed at 5 s", out)
	}
	if m := out[0].Members[0]; !m.Up.IsZero() || !m.Moved.Equal(at(5)) {
		t.Errorf("member %+v: want Moved at 5 s and no Up", m)
	}
	tl := out[0].Timeline
	if len(tl) < 2 || tl[len(tl)-2].What != "moved" || tl[len(tl)-2].Note != "moved to partition p3" || tl[len(tl)-1].What != "closed" {
		t.Errorf("timeline %+v: want moved (with the note) then closed", tl)
	}
	if len(g.Open()) != 0 {
		t.Errorf("open after release: %+v", g.Open())
	}

	// Two lines of one card in one outage: releasing one keeps it open.
	g = newGrouper(cards(2))
	c1, c2 := card("L1", "C1", "gold", 1, 1), card("L2", "C2", "gold", 1, 2)
	g.Apply(down(c1, 10))
	g.Apply(down(c2, 10.2))
	open := g.Open()
	if len(open) != 1 || len(open[0].Members) != 2 {
		t.Fatalf("card outage: %+v, want one incident of two lines", open)
	}
	if out := g.Release("L1", at(20), "moved"); len(out) != 1 || !out[0].Open() {
		t.Fatalf("release of one of two: %+v, want the incident still open", out)
	}
	r := New(Options{Now: fixedClock()})
	r.Restore(g.Open())
	if out := r.Apply(up(c1, 25)); len(out) != 0 {
		t.Errorf("restored grouper took the moved line's recovery: %+v", out)
	}
	out = g.Apply(up(c2, 30))
	if len(out) != 1 || out[0].Open() || !out[0].End.Equal(at(30)) {
		t.Errorf("other line up: %+v, want the incident closed at 30 s", out)
	}
	if out := r.Apply(up(c2, 30)); len(out) != 1 || out[0].Open() {
		t.Errorf("restored grouper, other line up: %+v, want closed", out)
	}
}
