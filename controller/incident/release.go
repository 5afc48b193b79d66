package incident

import "time"

// Release ends a line's part in this grouper's open incidents because
// the grouper stops watching it: an inventory change moved the line to
// another partition of a cluster (controller/partition), whose grouper
// starts it afresh. Nothing is known of the line here after t, so:
//
//   - an outage it holds open as a cause member, still down, notes
//     "moved" and sets Member.Moved (Up stays zero: it did not recover);
//     the outage closes at t when no other cause member is still down;
//   - its flapping incident closes at t, noting "moved";
//   - incidents listing it as affected note "moved" and stop waiting for it.
//
// note says where the line went. It returns the changed incidents.
func (g *Grouper) Release(line string, t time.Time, note string) []Incident {
	c := &changes{g: g}
	moved := func(in *Incident, m *Member) {
		m.Moved = maxTime(t, m.Down)
		in.note(Entry{Time: m.Moved, Line: line, What: "moved", Note: note})
		c.touch(in)
	}
	for _, id := range g.affected[line] {
		in := g.open[id]
		if m := in.member(line); m != nil && !m.ended() {
			moved(in, m)
		}
	}
	delete(g.affected, line)
	if id, ok := g.flapping[line]; ok {
		in := g.open[id]
		moved(in, &in.Members[0])
		g.close(in, in.Members[0].Moved)
	}
	if id, ok := g.outage[line]; ok {
		in := g.open[id]
		delete(g.outage, line)
		if m := in.member(line); m != nil && !m.ended() {
			moved(in, m)
			g.closeIfEnded(c, in)
		}
	}
	return c.out
}
