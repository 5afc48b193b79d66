package incident

import (
	"cmp"
	"slices"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
)

// Options configure a Grouper.
type Options struct {
	// Window is how long after an element incident's start another line
	// failing below that element still joins it: the element is known to
	// be failing (a card rebooting port by port). Default 30 s. It also
	// bounds every Rule's spread.
	Window time.Duration
	// Rules say when lines below an element have a common cause, by element
	// kind; a kind not named takes Default.
	Rules map[string]Rule
	// Default is the rule of the kinds Rules does not name (zero fields:
	// DefaultRule's).
	Default Rule
	// Now is the clock that stamps Incident.Updated. Default time.Now.
	Now func() time.Time
	// FirstID is the ID of the first incident (the caller passes one past
	// the highest it has stored). Default 1.
	FirstID int64
	// LastID, when not 0, ends a block of IDs [FirstID, LastID) this
	// grouper owns alone (several controllers on one PostgreSQL database,
	// each with its own block): Restore then keeps counting in the block
	// instead of past the highest restored ID, which may be another
	// controller's.
	LastID int64
}

// Grouper turns line transitions into incidents. It is not safe for
// concurrent use.
type Grouper struct {
	opts   Options
	nextID int64
	topo   Topology
	open   map[int64]*Incident
	// outage and flapping map a line to the open incident it is a cause
	// member of; affected maps it to the open element incidents that list
	// it as affected.
	outage   map[string]int64
	flapping map[string]int64
	affected map[string][]int64
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
	o.Default = o.Default.withDefaults()
	rules := make(map[string]Rule, len(o.Rules))
	for k, r := range o.Rules {
		rules[k] = r.withDefaults()
	}
	o.Rules = rules
	return &Grouper{opts: o, nextID: o.FirstID, open: map[int64]*Incident{}, topo: Topology{},
		outage: map[string]int64{}, flapping: map[string]int64{}, affected: map[string][]int64{}}
}

// SetTopology gives the grouper what the inventory knows about elements:
// their kinds and watched lines. The caller sets it before the first
// transition and again when the inventory changes.
func (g *Grouper) SetTopology(t Topology) {
	if t == nil {
		t = Topology{}
	}
	g.topo = t
}

func (g *Grouper) rule(kind string) Rule {
	if r, ok := g.opts.Rules[kind]; ok {
		return r
	}
	return g.opts.Default
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

// down places a line that went down at t: back into its own open incident,
// into an element incident that is failing already (within Window of its
// start), into a common cause it completes with lines that went down
// within the spread (group.go), or else into an incident of its own.
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
	if in := g.failingElement(l, t); in != nil {
		g.join(in, l, t, "below "+in.Root+", failing since "+stamp(in.Start)+" (within the group window)")
		c.touch(in)
		return
	}
	if g.commonCause(c, l, t) {
		return
	}
	in := g.newIncident(Outage, l, t)
	g.outage[l.ID] = in.ID
	c.touch(in)
}

// failingElement is the open element incident the line should join: one
// rooted at an element above the line that started within the window of
// t, preferring the deepest element, then the oldest incident.
func (g *Grouper) failingElement(l Line, t time.Time) *Incident {
	var best *Incident
	bestDepth := 0
	for _, in := range g.open {
		if in.Kind != Outage || in.Grouping == nil || absDur(t.Sub(in.Start)) > g.opts.Window {
			continue
		}
		d := len(in.RootPath)
		if len(commonPrefix(in.RootPath, l.Path)) != d {
			continue
		}
		if d > bestDepth || (d == bestDepth && in.ID < best.ID) {
			best, bestDepth = in, d
		}
	}
	return best
}

// join adds l as a cause member of in; a line in already lists as
// affected becomes a cause member.
func (g *Grouper) join(in *Incident, l Line, t time.Time, why string) {
	if m := in.member(l.ID); m != nil {
		m.Role, m.Down, m.Up = RoleCause, t, time.Time{}
		g.unaffect(l.ID, in.ID)
	} else {
		in.Members = append(in.Members, Member{Line: l.ID, Customer: l.Customer, Tier: l.Tier, Down: t, IntervalMS: l.Interval.Milliseconds()})
	}
	g.outage[l.ID] = in.ID
	if t.Before(in.Start) {
		in.Start = t // late evidence: the fault began earlier than thought
	}
	in.note(Entry{Time: t, Line: l.ID, What: "joined", Note: why})
}

func (g *Grouper) newIncident(k Kind, l Line, t time.Time) *Incident {
	in := &Incident{ID: g.nextID, Kind: k, Start: t, RootPath: slices.Clone(l.Path),
		Members: []Member{{Line: l.ID, Customer: l.Customer, Tier: l.Tier, Down: t, IntervalMS: l.Interval.Milliseconds()}}}
	if n := len(l.Path); n > 0 && g.topo[l.Path[n-1]].Watched <= 1 {
		in.Root = l.Path[n-1] // the line's own port, not a card it shares
	}
	g.nextID++
	in.note(Entry{Time: t, Line: l.ID, What: "opened", Note: string(k)})
	g.open[in.ID] = in
	return in
}

// up records a recovery: in the incident the line is a cause member of
// (closed when its last cause member is up) and in the element incidents
// that list it as affected.
func (g *Grouper) up(c *changes, line string, t time.Time) {
	for _, id := range g.affected[line] {
		in := g.open[id]
		if m := in.member(line); m != nil && m.Up.IsZero() {
			m.Up = maxTime(t, m.Down)
			in.note(Entry{Time: m.Up, Line: line, What: "up", Note: "affected line"})
			c.touch(in)
		}
	}
	delete(g.affected, line)
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
	g.closeIfEnded(c, in)
}

// closeIfEnded closes an outage whose cause members have all recovered
// or moved away, at the last of those times.
func (g *Grouper) closeIfEnded(c *changes, in *Incident) {
	end := time.Time{}
	for _, m := range in.Members {
		if m.Role != RoleCause {
			continue
		}
		if !m.ended() {
			c.touch(in)
			return
		}
		end = maxTime(end, maxTime(m.Up, m.Moved))
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
		g.unaffect(m.Line, in.ID)
	}
}

// unaffect forgets that incident id lists line as affected.
func (g *Grouper) unaffect(line string, id int64) {
	ids := slices.DeleteFunc(g.affected[line], func(x int64) bool { return x == id })
	if len(ids) == 0 {
		delete(g.affected, line)
	} else {
		g.affected[line] = ids
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
// recover. Closed incidents are ignored. Everything a grouping decision
// reads is in the incidents (members' down times and probe intervals, the
// grouping), so a restored grouper decides as the first one would have.
func (g *Grouper) Restore(incidents []Incident) {
	for _, x := range incidents {
		if !x.Open() {
			continue
		}
		in := x.clone()
		g.open[in.ID] = &in
		if g.opts.LastID == 0 || in.ID >= g.opts.FirstID && in.ID < g.opts.LastID {
			g.nextID = max(g.nextID, in.ID+1)
		}
		for _, m := range in.Members {
			switch {
			case !m.Moved.IsZero():
				// moved away (Release): not this grouper's any more
			case m.Role == RoleAffected:
				if m.Up.IsZero() {
					g.affected[m.Line] = append(g.affected[m.Line], in.ID)
				}
			case in.Kind == Flapping:
				g.flapping[m.Line] = in.ID
			default:
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

// stamp writes an event time for a timeline note.
func stamp(t time.Time) string { return t.UTC().Format("15:04:05.000Z") }
