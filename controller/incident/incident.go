package incident

import "time"

// Kind says what made an incident.
type Kind string

const (
	// Outage: one or more lines down together.
	Outage Kind = "outage"
	// Flapping: one line whose dampening penalty is above suppress.
	Flapping Kind = "flapping"
)

// Line is what the grouper needs to know about a line, from the inventory.
// A line unknown to the inventory has only its ID.
type Line struct {
	ID       string
	Customer string
	Tier     string
	// Path is the line's upstream element and its ancestors, root first
	// (PoP, router, card, port); empty when the inventory names none.
	Path []string
	// Interval is the line's probe interval (0: not known yet), which
	// sets the default spread of a common cause (Rule.SpreadIntervals).
	Interval time.Duration
}

// Member roles. A cause member went down with the incident's cause and
// holds it open; an affected member was already down or flapping when its
// element failed: it is listed, with the state it was in (Member.Prior),
// so one cause is one incident, but its own earlier incident stays open
// for its own cause, and it does not hold this incident open.
const (
	RoleCause    = ""
	RoleAffected = "affected"
)

// Member is one line's part in an incident.
type Member struct {
	Line     string    `json:"line"`
	Customer string    `json:"customer,omitempty"`
	Tier     string    `json:"tier,omitempty"`
	Down     time.Time `json:"down"`
	// Up is when the line recovered; zero while it is still down.
	Up time.Time `json:"up,omitzero"`
	// Moved is when the line, still down, left the watch of the
	// controller's partition that held this incident (an inventory
	// change moved it to another PoP's partition, Grouper.Release): its
	// part ends there without a recovery (Up stays zero).
	Moved time.Time `json:"moved,omitzero"`
	// Role is RoleCause ("", omitted) or RoleAffected.
	Role string `json:"role,omitempty"`
	// Prior is the state an affected line was in when its element failed
	// (down or flapping), since Down, in its own incident PriorIncident.
	Prior         string `json:"prior_state,omitempty"`
	PriorIncident int64  `json:"prior_incident,omitempty"`
	// IntervalMS is the line's probe interval when it joined (0: unknown),
	// kept so a restarted grouper judges spreads as the first one did.
	IntervalMS int64 `json:"interval_ms,omitempty"`
}

// ended reports whether the member no longer holds its incident open:
// it recovered or was moved away.
func (m *Member) ended() bool { return !m.Up.IsZero() || !m.Moved.IsZero() }

// Customer is one affected customer.
type Customer struct {
	ID    string   `json:"id"`
	Tier  string   `json:"tier,omitempty"`
	Lines []string `json:"lines"`
}

// Entry is one line of an incident's timeline.
type Entry struct {
	Time time.Time `json:"time"`
	Line string    `json:"line,omitempty"`
	// What is opened, joined, down, up, flapping_start, flapping_end,
	// root_moved, grouped (why the incident roots at a shared element),
	// merged (another incident's lines taken in), merged_into, affected (a
	// line already down or flapping listed), linked (this line's element
	// failed: the other incident lists it), moved (the line left this
	// incident's partition, Grouper.Release) or closed.
	What string `json:"what"`
	Note string `json:"note,omitempty"`
}

// MaxTimeline bounds one incident's timeline; a long-running flapping
// incident would otherwise grow without end. Entries past it are counted in
// Incident.Dropped.
const MaxTimeline = 1000

// Incident is a grouped problem. Times are event times.
type Incident struct {
	ID   int64 `json:"id"`
	Kind Kind  `json:"kind"`
	// Root is the element the incident is about. With Grouping it is the
	// shared element whose lines failed together. A single line's own
	// incident names the line's upstream element only when that element
	// carries no other watched line (its port); else it is empty: one
	// line failing says nothing about the card it hangs from.
	Root string `json:"root,omitempty"`
	// RootPath is, with Grouping, Root and its ancestors; for a single
	// line's incident, where the line hangs (its upstream element and
	// ancestors), root first.
	RootPath []string `json:"root_path,omitempty"`
	// Grouping says why the lines were grouped at Root; nil for a single
	// line's incident.
	Grouping *Grouping `json:"grouping,omitempty"`
	// MergedInto is the incident this one became part of when its lines
	// turned out to share a cause with others (it is closed then).
	MergedInto int64     `json:"merged_into,omitempty"`
	Start      time.Time `json:"start"`
	// End is when the last line recovered; zero while open.
	End     time.Time `json:"end,omitzero"`
	Members []Member  `json:"lines"`
	// Timeline is in the order things were learnt, which with late
	// evidence is not always event-time order.
	Timeline []Entry `json:"timeline"`
	Dropped  int     `json:"timeline_dropped,omitempty"`
	// Updated is the grouper's clock at the last change.
	Updated time.Time `json:"updated"`
}

// Open reports whether the incident has not ended.
func (in *Incident) Open() bool { return in.End.IsZero() }

// State is "open" or "closed".
func (in *Incident) State() string {
	if in.Open() {
		return "open"
	}
	return "closed"
}

// Customers lists the affected customers in order of first failure, each
// with its lines. Lines without a customer are left out.
func (in *Incident) Customers() []Customer {
	var out []Customer
	idx := map[string]int{}
	for _, m := range in.Members {
		if m.Customer == "" {
			continue
		}
		i, ok := idx[m.Customer]
		if !ok {
			i = len(out)
			idx[m.Customer] = i
			out = append(out, Customer{ID: m.Customer, Tier: m.Tier})
		}
		out[i].Lines = append(out[i].Lines, m.Line)
	}
	return out
}

func (in *Incident) note(e Entry) {
	if len(in.Timeline) >= MaxTimeline {
		in.Dropped++
		return
	}
	in.Timeline = append(in.Timeline, e)
}

func (in *Incident) member(line string) *Member {
	for i := range in.Members {
		if in.Members[i].Line == line {
			return &in.Members[i]
		}
	}
	return nil
}

// clone copies the incident so the caller may keep it while the grouper
// changes the original.
func (in *Incident) clone() Incident {
	c := *in
	c.Members = append([]Member(nil), in.Members...)
	c.Timeline = append([]Entry(nil), in.Timeline...)
	c.RootPath = append([]string(nil), in.RootPath...)
	if in.Grouping != nil {
		g := *in.Grouping
		c.Grouping = &g
	}
	return c
}

// commonPrefix is the shared leading part of two root-first paths.
func commonPrefix(a, b []string) []string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n:n]
}
