package linehealth

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
)

// Revision is one change of a stored event after it was first shown.
type Revision struct {
	At time.Time `json:"at"` // controller clock
	// Change is "revised" (kind, start or end changed), "retracted" (the
	// detector no longer has the event: it counts nowhere) or "reinstated"
	// (a retracted event is back).
	Change string `json:"change"`
	// Final is true for a change made when the event became final.
	Final  bool          `json:"final"`
	Fields []FieldChange `json:"fields,omitempty"`
	// Cause says why, in words; LateEvidence names the sources whose late
	// evidence the detector had just taken in.
	Cause        string         `json:"cause"`
	LateEvidence []LateEvidence `json:"late_evidence,omitempty"`
}

// FieldChange is one field of an event that a revision changed.
type FieldChange struct {
	Field string `json:"field"` // kind, start, end
	From  string `json:"from"`
	To    string `json:"to"`
}

// LateEvidence is evidence of one source that arrived behind the
// detector's live view (out of order, or spooled while a line was down).
type LateEvidence struct {
	Agent   string    `json:"agent"`
	Probe   string    `json:"probe"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Results int       `json:"results"`
}

// changes lists what differs between a stored row and an event.
func changes(r *eventRow, ev *linestate.Event) []FieldChange {
	var out []FieldChange
	if r.kind != string(ev.Kind) {
		out = append(out, FieldChange{"kind", r.kind, string(ev.Kind)})
	}
	if s := ms(ev.Start); r.start != s {
		out = append(out, FieldChange{"start", msText(r.start), msText(s)})
	}
	// An open outage ending is its course, not a change (live.go); one
	// reopened, or whose end moved, is.
	if e := endMS(ev.End); r.end != e && r.end != 0 {
		out = append(out, FieldChange{"end", msText(r.end), msText(e)})
	}
	return out
}

// endedShort reports whether the only change is an open outage ending
// within the flap threshold, so it is a flap.
func endedShort(r *eventRow, ev *linestate.Event, fields []FieldChange) bool {
	return r.end == 0 && !ev.End.IsZero() && len(fields) == 1 && fields[0].Field == "kind" && ev.Kind == linestate.Flap
}

func msText(v int64) string {
	if v == 0 {
		return ""
	}
	return fromMS(v).Format(time.RFC3339Nano)
}

// why explains a change of an event spanning [s, e) (Unix ms): the late
// evidence that reached the detector near it, else all the line's recent
// late evidence, else which view changed.
func why(late []linestate.Late, s, e int64, final bool) (string, []LateEvidence) {
	from, to := fromMS(s).Add(-time.Minute), fromMS(max(e, s)).Add(time.Minute)
	var near []linestate.Late
	for _, l := range late {
		if !l.To.Before(from) && !l.From.After(to) {
			near = append(near, l)
		}
	}
	if len(near) == 0 {
		near = late
	}
	if len(near) == 0 {
		if final {
			return "the final view (the lateness horizon passed) differs from the live view", nil
		}
		return "the live view was recomputed", nil
	}
	var parts []string
	evs := make([]LateEvidence, len(near))
	for i, l := range near {
		evs[i] = LateEvidence{Agent: l.Source, Probe: l.Probe, From: l.From, To: l.To, Results: l.N}
		parts = append(parts, fmt.Sprintf("%s (%s, %d results %s to %s)", l.Source, l.Probe, l.N,
			l.From.Format(time.RFC3339), l.To.Format(time.RFC3339)))
	}
	return "late evidence from " + strings.Join(parts, "; "), evs
}

// withRevision returns a row's revisions with rev appended.
func withRevision(revs string, rev Revision) (string, error) {
	var list []Revision
	if revs != "" {
		if err := json.Unmarshal([]byte(revs), &list); err != nil {
			return "", fmt.Errorf("revisions: %w", err)
		}
	}
	b, err := json.Marshal(append(list, rev))
	return string(b), err
}
