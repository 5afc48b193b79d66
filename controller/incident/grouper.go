package incident

import (
	"cmp"
	"slices"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
)

// Options configure a Grouper.
type Options struct {
	// Window is how long after an incident's start another line failing
	// below a shared element still joins it. Default 30 s: several probe
	// rounds at the slowest usual interval (10 s), so the lines of one card
	// that are probed out of step still land together.
	Window time.Duration
	// Now is the clock that stamps Incident.Updated. Default time.Now.
	Now func() time.Time
	// FirstID is the ID of the first incident (the caller passes one past
	// the highest it has stored). Default 1.
	FirstID int64
}

// Grouper turns line transitions into incidents. It is not safe for
// concurrent use.
type Grouper struct {
	opts   Options
	nextID int64
	open   map[int64]*Incident
	// outage and flapping map a line to the open incident it belongs to.
	outage   map[string]int64
	flapping map[string]int64
}

// New returns an empty Grouper.
func New(o Options) *Grouper {
	if o.Window <= 0 {
		o.Window = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.FirstID <= 0 {
		o.FirstID = 1
	}
	return &Grouper{opts: o, nextID: o.FirstID, open: map[int64]*Incident{},
		outage: map[string]int64{}, flapping: map[string]int64{}}
}

// changes collects the incidents one call touched, once each.
type changes struct {
	g   *Grouper
	ids []int64
	out []Incident
}

func (c *changes) touch(in *Incident) {
	in.Updated = c.g.opts.Now()
	if i := slices.Index(c.ids, in.ID); i >= 0 {
		c.out[i] = in.clone()
		return
	}
	c.ids = append(c.ids, in.ID)
	c.out = append(c.out, in.clone())
}

// Apply feeds one line transition of the detector (the provisional view,
// which is what alerts follow) and returns the incidents it changed.
// Unknown is neither failure nor recovery: a silent line's incident stays
// as it is until evidence decides. That holds for flapping too: the
// detector shows a silent line unknown even while its penalty keeps it
// flapping, so flapping → unknown closes nothing, and the flapping
// incident ends when the line is heard again up or down, not flapping.
func (g *Grouper) Apply(l Line, tr linestate.Transition) []Incident {
	c := &changes{g: g}
	t := tr.Time
	switch tr.To {
	case linestate.Unknown:
	case linestate.Flapping:
		g.up(c, l.ID, t)
		g.flappingStart(c, l, t) // heard again still flapping: the same incident
	case linestate.Down:
		g.flappingEnd(c, l.ID, t)
		g.down(c, l, t)
	case linestate.Up:
		g.flappingEnd(c, l.ID, t)
		g.up(c, l.ID, t)
	}
	return c.out
}

// Down records that a line went down at t.
func (g *Grouper) Down(l Line, t time.Time) []Incident {
	c := &changes{g: g}
	g.down(c, l, t)
	return c.out
}

// Up records that a line recovered at t.
func (g *Grouper) Up(line string, t time.Time) []Incident {
	c := &changes{g: g}
	g.up(c, line, t)
	return c.out
}

func (g *Grouper) down(c *changes, l Line, t time.Time) {
	if id, ok := g.outage[l.ID]; ok {
		in := g.open[id]
		m := in.member(l.ID)
		if m.Up.IsZero() {
			return // already down: a repeated or revised transition
		}
		m.Up = time.Time{}
		in.note(Entry{Time: t, Line: l.ID, What: "down", Note: "down again"})
		c.touch(in)
		return
	}
	if in := g.candidate(l, t); in != nil {
		g.join(in, l, t)
		c.touch(in)
		return
	}
	in := g.newIncident(Outage, l, t)
	g.outage[l.ID] = in.ID
	c.touch(in)
}

// candidate is the open outage incident the line should join: one that
// started within the window of t and shares an element with the line,
// preferring the deepest shared element, then the oldest incident.
func (g *Grouper) candidate(l Line, t time.Time) *Incident {
	if len(l.Path) == 0 {
		return nil
	}
	var best *Incident
	bestDepth := 0
	for _, in := range g.open {
		if in.Kind != Outage || len(in.RootPath) == 0 || absDur(t.Sub(in.Start)) > g.opts.Window {
			continue
		}
		d := len(commonPrefix(in.RootPath, l.Path))
		if d == 0 {
			continue
		}
		if d > bestDepth || (d == bestDepth && in.ID < best.ID) {
			best, bestDepth = in, d
		}
	}
	return best
}

func (g *Grouper) join(in *Incident, l Line, t time.Time) {
	in.Members = append(in.Members, Member{Line: l.ID, Customer: l.Customer, Tier: l.Tier, Down: t})
	g.outage[l.ID] = in.ID
	if t.Before(in.Start) {
		in.Start = t // late evidence: the fault began earlier than thought
	}
	in.note(Entry{Time: t, Line: l.ID, What: "joined"})
	if p := commonPrefix(in.RootPath, l.Path); len(p) < len(in.RootPath) {
		in.note(Entry{Time: t, Line: l.ID, What: "root_moved", Note: in.Root + " → " + p[len(p)-1]})
		in.RootPath = slices.Clone(p)
		in.Root = p[len(p)-1]
	}
}

func (g *Grouper) newIncident(k Kind, l Line, t time.Time) *Incident {
	in := &Incident{ID: g.nextID, Kind: k, Start: t, RootPath: slices.Clone(l.Path),
		Members: []Member{{Line: l.ID, Customer: l.Customer, Tier: l.Tier, Down: t}}}
	if len(l.Path) > 0 {
		in.Root = l.Path[len(l.Path)-1]
	}
	g.nextID++
	in.note(Entry{Time: t, Line: l.ID, What: "opened", Note: string(k)})
	g.open[in.ID] = in
	return in
}

func (g *Grouper) up(c *changes, line string, t time.Time) {
	id, ok := g.outage[line]
	if !ok {
		return
	}
	in := g.open[id]
	m := in.member(line)
	if !m.Up.IsZero() {
		return
	}
	m.Up = maxTime(t, m.Down)
	in.note(Entry{Time: m.Up, Line: line, What: "up"})
	end := time.Time{}
	for _, m := range in.Members {
		if m.Up.IsZero() {
			c.touch(in)
			return
		}
		end = maxTime(end, m.Up)
	}
	g.close(in, end)
	c.touch(in)
}

func (g *Grouper) close(in *Incident, end time.Time) {
	in.End = end
	in.note(Entry{Time: end, What: "closed"})
	delete(g.open, in.ID)
	for _, m := range in.Members {
		if in.Kind == Outage && g.outage[m.Line] == in.ID {
			delete(g.outage, m.Line)
		}
		if in.Kind == Flapping && g.flapping[m.Line] == in.ID {
			delete(g.flapping, m.Line)
		}
	}
}

func (g *Grouper) flappingStart(c *changes, l Line, t time.Time) {
	if _, ok := g.flapping[l.ID]; ok {
		return
	}
	in := g.newIncident(Flapping, l, t)
	in.note(Entry{Time: t, Line: l.ID, What: "flapping_start"})
	g.flapping[l.ID] = in.ID
	c.touch(in)
}

func (g *Grouper) flappingEnd(c *changes, line string, t time.Time) {
	id, ok := g.flapping[line]
	if !ok {
		return
	}
	in := g.open[id]
	end := maxTime(t, in.Start)
	in.Members[0].Up = end
	in.note(Entry{Time: end, Line: line, What: "flapping_end"})
	g.close(in, end)
	c.touch(in)
}

// Open returns copies of the open incidents, by ID.
func (g *Grouper) Open() []Incident {
	out := make([]Incident, 0, len(g.open))
	for _, in := range g.open {
		out = append(out, in.clone())
	}
	slices.SortFunc(out, func(a, b Incident) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Restore takes back open incidents a previous run stored, so a restarted
// controller keeps grouping into them and closes them when their lines
// recover. Closed incidents are ignored.
func (g *Grouper) Restore(incidents []Incident) {
	for _, x := range incidents {
		if !x.Open() {
			continue
		}
		in := x.clone()
		g.open[in.ID] = &in
		g.nextID = max(g.nextID, in.ID+1)
		for _, m := range in.Members {
			if in.Kind == Flapping {
				g.flapping[m.Line] = in.ID
			} else {
				g.outage[m.Line] = in.ID
			}
		}
	}
}

// NextID is the ID the next incident will get.
func (g *Grouper) NextID() int64 { return g.nextID }

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
