package notify

import (
	"encoding/json"
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
	// Cause is line health's attribution when it has one (line,
	// customer_premises, watcher_uplink); empty when unknown.
	Cause string     `json:"cause,omitempty"`
	Lines []FactLine `json:"lines"`
}

// FactLine is one affected line.
type FactLine struct {
	Line     string    `json:"line"`
	Customer string    `json:"customer,omitempty"`
	Down     time.Time `json:"down"`
	Up       time.Time `json:"up,omitzero"`
}

// CustomerPremises reports whether the cause is at the customer's own
// premises (their CPE, power, in-house cabling), which messages say.
func (f *Facts) CustomerPremises() bool { return strings.Contains(f.Cause, "premises") }

func factsOf(in *incident.Incident) Facts {
	f := Facts{Incident: in.ID, Kind: string(in.Kind), Root: in.Root, Start: in.Start, End: in.End, Cause: causeOf(in)}
	for _, m := range in.Members {
		f.Lines = append(f.Lines, FactLine{Line: m.Line, Customer: m.Customer, Down: m.Down, Up: m.Up})
	}
	return f
}

// causeOf reads the incident's "cause" as line health encodes it. It goes
// through the JSON form so that notify depends on the field's meaning, not
// on the struct that carries it (line health's cause attribution is newer
// than this package and may move).
func causeOf(in *incident.Incident) string {
	b, err := json.Marshal(in)
	if err != nil {
		return ""
	}
	var c struct {
		Cause any `json:"cause"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	switch v := c.Cause.(type) {
	case string:
		return v
	case map[string]any:
		if s, ok := v["kind"].(string); ok {
			return s
		}
	}
	return ""
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
