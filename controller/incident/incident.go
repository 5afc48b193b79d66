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
}

// Member is one line's part in an incident.
type Member struct {
	Line     string    `json:"line"`
	Customer string    `json:"customer,omitempty"`
	Tier     string    `json:"tier,omitempty"`
	Down     time.Time `json:"down"`
	// Up is when the line recovered; zero while it is still down.
	Up time.Time `json:"up,omitzero"`
}

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
	// root_moved or closed.
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
	// Root is the lowest upstream element every line hangs below; empty
	// for a line the inventory places nowhere.
	Root string `json:"root,omitempty"`
	// RootPath is Root and its ancestors, root first.
	RootPath []string  `json:"root_path,omitempty"`
	Start    time.Time `json:"start"`
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
