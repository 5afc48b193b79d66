package webui

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/registry"
)

// maxLinePages bounds the overview's read of the lines (1,000 a page).
const maxLinePages = 100

// overviewData is the overview's state at a glance.
type overviewData struct {
	Total                    int
	Down, Flapping, Degraded []linehealth.LineView
	Incidents                []linehealth.IncidentSummary
	ByTier                   []tierCount
	AgentsOffline            []registry.Agent
	AgentsKnown              bool // false for roles that may not see the fleet
	ComplaintsToday          int
	ComplaintsKnown          bool
	Updated                  time.Time
	Truncated                bool
}

type tierCount struct {
	Tier  string
	Count int
}

// overview is GET /ui/; ?part=live answers only the live block, which
// static/app.js fetches every 10 s and swaps in (polling rather than SSE:
// one short request, nothing held open per wall screen, fine through any
// proxy).
func (u *UI) overview(w http.ResponseWriter, r *http.Request, v *view) {
	d, err := u.overviewData(r.Context(), v)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	v.Title, v.Data = v.L["overview"], d
	if r.URL.Query().Get("part") == "live" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := u.pages["overview"].ExecuteTemplate(w, "live", v); err != nil {
			u.log.Error("ui render", "page", "overview live", "err", err)
		}
		return
	}
	u.render(w, http.StatusOK, "overview", v)
}

func (u *UI) overviewData(ctx context.Context, v *view) (*overviewData, error) {
	d := &overviewData{Updated: u.now()}
	after := ""
	for page := 0; ; page++ {
		if page == maxLinePages {
			d.Truncated = true
			break
		}
		var body struct {
			Lines []linehealth.LineView `json:"lines"`
			Next  string                `json:"next"`
		}
		if err := u.get(ctx, v.ss, "/api/v1/lines?limit=1000&after="+url.QueryEscape(after), &body); err != nil {
			return nil, err
		}
		for _, l := range body.Lines {
			d.Total++
			switch {
			case l.State == "down":
				d.Down = append(d.Down, l)
			case l.State == "flapping":
				d.Flapping = append(d.Flapping, l)
			case l.State == "up" && (l.Outages24h > 0 || l.Flaps24h > 0):
				d.Degraded = append(d.Degraded, l)
			}
		}
		if body.Next == "" {
			break
		}
		after = body.Next
	}
	var inc struct {
		Incidents []linehealth.IncidentSummary `json:"incidents"`
	}
	if err := u.get(ctx, v.ss, "/api/v1/incidents?state=open&limit=1000", &inc); err != nil {
		return nil, err
	}
	d.Incidents = inc.Incidents
	tiers := map[string]int{}
	for _, in := range inc.Incidents {
		seen := map[string]bool{}
		for _, c := range in.Customers {
			if !seen[c.Tier] {
				seen[c.Tier] = true
				tiers[c.Tier]++
			}
		}
		if len(in.Customers) == 0 {
			tiers[""]++
		}
	}
	for t, n := range tiers {
		d.ByTier = append(d.ByTier, tierCount{t, n})
	}
	sort.Slice(d.ByTier, func(i, j int) bool { return d.ByTier[i].Tier < d.ByTier[j].Tier })
	if v.Operator {
		var ag struct {
			Agents []registry.Agent `json:"agents"`
		}
		if err := u.get(ctx, v.ss, "/api/v1/agents?state=offline", &ag); err == nil {
			d.AgentsOffline, d.AgentsKnown = ag.Agents, true
		}
	}
	// Complaints since midnight in the user's zone.
	now := u.now().In(v.Loc)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, v.Loc)
	var cs struct {
		Complaints []complaints.Complaint `json:"complaints"`
	}
	if err := u.get(ctx, v.ss, "/api/v1/complaints?limit=1000&from="+url.QueryEscape(midnight.UTC().Format(time.RFC3339)), &cs); err == nil {
		d.ComplaintsToday, d.ComplaintsKnown = len(cs.Complaints), true
	}
	return d, nil
}
