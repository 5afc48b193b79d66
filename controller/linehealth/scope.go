package linehealth

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
)

// Scope is the set of customers a reader may see: every one (admin, ops,
// the controller itself) or a list (an account manager's customers). The
// read model applies it inside its queries, before a page is cut to its
// limit, so a page holds limit rows the reader may see whenever that many
// remain; a line, customer or incident outside it is ErrNotFound, the very
// error an unknown id gets.
//
// The zero Scope sees nothing: a caller that forgot to say who asks gets
// empty lists, not everything.
type Scope struct {
	all       bool
	customers map[string]bool
	sorted    []string
}

// AllCustomers sees every customer, and lines and incidents no customer
// owns (lines the inventory does not know).
var AllCustomers = Scope{all: true}

// OnlyCustomers sees exactly ids.
func OnlyCustomers(ids []string) Scope {
	s := Scope{customers: make(map[string]bool, len(ids))}
	for _, id := range ids {
		if id != "" && !s.customers[id] {
			s.customers[id] = true
			s.sorted = append(s.sorted, id)
		}
	}
	slices.Sort(s.sorted)
	return s
}

// All reports whether the scope sees every customer.
func (s Scope) All() bool { return s.all }

// Sees reports whether a row of customerID is visible. A row without a
// customer ("") is visible only to a scope that sees all.
func (s Scope) Sees(customerID string) bool {
	return s.all || (customerID != "" && s.customers[customerID])
}

// after returns the scope's customer ids above after, in order (not for
// an all scope).
func (s Scope) after(after string) []string {
	i, _ := slices.BinarySearch(s.sorted, after)
	for i < len(s.sorted) && s.sorted[i] <= after {
		i++
	}
	return s.sorted[i:]
}

// jsonIDs is the scope's customers as a JSON array, bound as one SQL
// parameter and read with json_each: one placeholder whatever the number
// of customers.
func (s Scope) jsonIDs() string {
	b, _ := json.Marshal(s.sorted)
	if s.sorted == nil {
		return "[]"
	}
	return string(b)
}

// trimIncident keeps only what s may see of an incident: its members of
// visible customers, their timeline entries (and the incident-wide ones:
// closed) and, for a scope that does not see all, the start of the earliest
// visible member instead of the incident's own start, which may be another
// customer's line. ok is false when nothing of it is visible.
func (s Scope) trimIncident(in incident.Incident) (out incident.Incident, ok bool) {
	if s.all {
		return in, true
	}
	keep := map[string]bool{}
	members := in.Members[:0:0]
	var start time.Time
	for _, m := range in.Members {
		if s.Sees(m.Customer) {
			members = append(members, m)
			keep[m.Line] = true
			if start.IsZero() || m.Down.Before(start) {
				start = m.Down
			}
		}
	}
	if len(members) == 0 {
		return in, false
	}
	in.Members = members
	in.Start = start
	timeline := in.Timeline[:0:0]
	for _, e := range in.Timeline {
		if e.Line == "" || keep[e.Line] {
			timeline = append(timeline, e)
		}
	}
	in.Timeline = timeline
	// What was dropped from the timeline for its length may have been
	// anyone's: the count is not the caller's business.
	in.Dropped = 0
	return in, true
}
