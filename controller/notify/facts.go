package notify

import (
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
)

// Facts are what messages say about an incident, kept in notify_incidents
// by the hook so the sender renders from them alone.
type Facts struct {
	Incident int64     `json:"incident"`
	Kind     string    `json:"kind"` // outage, flapping
	Root     string    `json:"root,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"`
	// Cause is line health's attribution (incidents.cause: line,
	// customer_premises, watcher_uplink, unknown); empty when undecided.
	Cause string `json:"cause,omitempty"`
	// Title is a maintenance window's title (maintenance rows only).
	Title string `json:"title,omitempty"`
	// Planned: every line is in a maintenance window containing the start.
	Planned bool `json:"planned,omitempty"`
	// MergedInto is the incident this one became part of (then closed).
	MergedInto int64 `json:"merged_into,omitempty"`
	// Lines are the lines concerned; for weak coverage, the customer's
	// sites in the cell (Line holds the site id).
	Lines []FactLine `json:"lines"`
	// Cell and LossPct: a weak-coverage event's grid cell; a degradation's
	// mean loss (events.go).
	Cell    string  `json:"cell,omitempty"`
	LossPct float64 `json:"loss_pct,omitempty"`
}

// FactLine is one affected line.
type FactLine struct {
	Line     string    `json:"line"`
	Customer string    `json:"customer,omitempty"`
	Down     time.Time `json:"down"`
	Up       time.Time `json:"up,omitzero"`
	// Role is incident.RoleAffected for a line already down or flapping
	// when the incident's element failed ("" for a cause line).
	Role string `json:"role,omitempty"`
}

// CustomerPremises reports whether the cause is at the customer's own
// premises (their CPE, power, in-house cabling), which messages say.
func (f *Facts) CustomerPremises() bool { return strings.Contains(f.Cause, "premises") }

func factsOf(in *incident.Incident) Facts {
	f := Facts{Incident: in.ID, Kind: string(in.Kind), Root: in.Root, Start: in.Start, End: in.End, MergedInto: in.MergedInto}
	for _, m := range in.Members {
		f.Lines = append(f.Lines, FactLine{Line: m.Line, Customer: m.Customer, Down: m.Down, Up: m.Up, Role: m.Role})
	}
	return f
}

// For returns the facts about one customer's lines ("" keeps them all).
func (f Facts) For(customer string) Facts {
	if customer == "" {
		return f
	}
	out := f
	out.Lines = nil
	for _, l := range f.Lines {
		if l.Customer == customer {
			out.Lines = append(out.Lines, l)
		}
	}
	return out
}
