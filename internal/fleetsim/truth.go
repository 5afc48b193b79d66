package fleetsim

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Truth is what really happened, written next to the inventory.
type Truth struct {
	// Start is second 0 of the run (wall time); set by Run.
	Start time.Time `json:"start"`
	// Lines has every line's flaps and outages, oldest first.
	Lines map[string][]EventTruth `json:"lines"`
	// Groups are the grouped failures.
	Groups []GroupTruth `json:"groups"`
	// Silent and Skewed name the agents that went silent (and replayed
	// late) and the agents whose clocks ran ahead.
	Silent []AgentTruth `json:"silent"`
	Skewed []AgentTruth `json:"skewed"`
}

// EventTruth is one flap or outage of a line.
type EventTruth struct {
	Kind string `json:"kind"` // flap or outage
	// From and To are seconds after Start: pings fail in [From, To).
	From int `json:"from_s"`
	To   int `json:"to_s"`
	// SkewS is the watching agent's clock skew: the controller takes event
	// times as stamped, so it should see the event at From+SkewS.
	SkewS float64 `json:"skew_s,omitempty"`
}

// GroupTruth is one grouped failure: a card whose lines all went down
// within a 3-s spread from Start (seconds after the run's start).
type GroupTruth struct {
	Element string   `json:"element"`
	Start   int      `json:"start_s"`
	Lines   []string `json:"lines"`
}

// AgentTruth is one agent that misbehaved.
type AgentTruth struct {
	Agent string  `json:"agent"`
	FromS int     `json:"from_s,omitempty"`
	ToS   int     `json:"to_s,omitempty"`
	SkewS float64 `json:"skew_s,omitempty"`
}

func (t *Truth) fill(p *Plan) {
	t.Lines = make(map[string][]EventTruth, len(p.Lines))
	for _, a := range p.Agents {
		for _, l := range a.Lines {
			evs := []EventTruth{}
			for _, d := range l.down {
				kind := "flap"
				if time.Duration(d.to-d.from)*time.Second >= p.Config.FlapThreshold {
					kind = "outage"
				}
				evs = append(evs, EventTruth{Kind: kind, From: d.from, To: d.to, SkewS: a.Skew.Seconds()})
			}
			t.Lines[l.ID] = evs
		}
		if a.SilentFrom >= 0 {
			t.Silent = append(t.Silent, AgentTruth{Agent: a.ID, FromS: a.SilentFrom, ToS: a.SilentTo})
		}
		if a.Skew != 0 {
			t.Skewed = append(t.Skewed, AgentTruth{Agent: a.ID, SkewS: a.Skew.Seconds()})
		}
	}
}

// Counts returns the total flaps and outages.
func (t *Truth) Counts() (flaps, outages int) {
	for _, evs := range t.Lines {
		for _, e := range evs {
			if e.Kind == "flap" {
				flaps++
			} else {
				outages++
			}
		}
	}
	return flaps, outages
}

// WriteFile writes the truth as JSON.
func (t *Truth) WriteFile(path string) error {
	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// ReadTruth reads a file WriteFile wrote.
func ReadTruth(path string) (*Truth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if t.Lines == nil {
		return nil, fmt.Errorf("%s: no lines: not a ground-truth file", path)
	}
	return &t, nil
}
