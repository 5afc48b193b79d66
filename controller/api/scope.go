package api

import (
	"net/http"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linehealth"
)

// Scope tells which customers a request may see (an account manager sees
// only their own). A line or incident outside it is answered exactly like
// an unknown id, 404, so its existence does not leak. Nil sees everything.
type Scope func(r *http.Request) (canSee func(customerID string) bool)

func (h *handlers) canSee(r *http.Request) func(string) bool {
	if h.scope == nil {
		return func(string) bool { return true }
	}
	return h.scope(r)
}

func visibleLines(views []linehealth.LineView, canSee func(string) bool) []linehealth.LineView {
	out := views[:0:0]
	for _, v := range views {
		if canSee(v.Customer) {
			out = append(out, v)
		}
	}
	return out
}

// visibleCustomers trims an incident's customers to those in scope; ok is
// false when none is. An incident of lines no customer owns (lines the
// inventory does not know) is visible to whoever sees every customer
// (canSee("") is true for admin and ops), not to an account manager.
func visibleCustomers(cs []incident.Customer, canSee func(string) bool) (out []incident.Customer, ok bool) {
	out = []incident.Customer{}
	for _, c := range cs {
		if canSee(c.ID) {
			out = append(out, c)
		}
	}
	return out, len(out) > 0 || (len(cs) == 0 && canSee(""))
}

// trimIncident keeps only the lines (and their timeline entries) of
// customers in scope: an account manager learns that an incident touches
// their customers, not which other customers' lines it holds.
func trimIncident(d linehealth.IncidentDetail, canSee func(string) bool) (linehealth.IncidentDetail, bool) {
	cs, ok := visibleCustomers(d.Customers, canSee)
	if !ok {
		return d, false
	}
	d.Customers = cs
	keep := map[string]bool{}
	members := d.Members[:0:0]
	for _, m := range d.Members {
		if canSee(m.Customer) {
			members = append(members, m)
			keep[m.Line] = true
		}
	}
	d.Members = members
	timeline := d.Timeline[:0:0]
	for _, e := range d.Timeline {
		if e.Line == "" || keep[e.Line] {
			timeline = append(timeline, e)
		}
	}
	d.Timeline = timeline
	return d, true
}
