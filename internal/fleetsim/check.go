package fleetsim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// API reads the controller's REST API with a bearer token.
type API struct {
	Base   string // http://host:port
	Token  string
	Client *http.Client
	// Latency, if set, is told how long each call took (list and detail
	// figures for the benchmark).
	Latency func(kind string, d time.Duration)
}

func (a *API) get(ctx context.Context, kind, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.Base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.Token)
	c := a.Client
	if c == nil {
		c = http.DefaultClient
	}
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if a.Latency != nil {
		a.Latency(kind, time.Since(t0))
	}
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	return json.Unmarshal(body, v)
}

type apiEvent struct {
	Kind      string    `json:"kind"`
	Start     time.Time `json:"start"`
	DurationS float64   `json:"duration_s"`
	Final     bool      `json:"final"`
	Retracted time.Time `json:"retracted"`
}

type apiIncident struct {
	ID    int64     `json:"id"`
	Kind  string    `json:"kind"`
	State string    `json:"state"`
	Root  string    `json:"root"`
	Start time.Time `json:"start"`
	Lines int       `json:"lines"`
}

// Report is the outcome of a check.
type Report struct {
	Lines, Flaps, Outages, Groups int // in the ground truth
	// Matched counts events and grouped failures found as they should be.
	MatchedEvents, MatchedGroups int
	// Diffs say what differs, one line each; empty when all matches.
	Diffs []string
	// Pending counts lines whose events are not all final yet.
	Pending int
}

// OK reports whether the controller matched the ground truth.
func (r *Report) OK() bool { return len(r.Diffs) == 0 && r.Pending == 0 }

// Summary is one line for logs.
func (r *Report) Summary() string {
	return fmt.Sprintf("%d lines: %d/%d flaps+outages matched (%d flaps, %d outages in truth), %d/%d grouped failures matched, %d lines not final, %d differences",
		r.Lines, r.MatchedEvents, r.Flaps+r.Outages, r.Flaps, r.Outages, r.MatchedGroups, r.Groups, r.Pending, len(r.Diffs))
}

// Write prints the summary and every difference.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintln(w, r.Summary())
	for _, d := range r.Diffs {
		fmt.Fprintln(w, "  "+d)
	}
}

// Check compares the controller's line events (GET /api/v1/lines for
// every line's counts, then GET /api/v1/lines/{id} for each line with an
// event in either:
// flaps and outages not retracted, per line: exact counts per kind, and
// each start within one probe interval of the truth as the watching agent
// stamped it) and its incidents (GET /api/v1/incidents: one rooted at each
// failed card, starting within the 3-s spread plus an interval, with all
// its lines; none rooted at a card or PoP that did not fail).
func Check(ctx context.Context, a *API, t *Truth) (*Report, error) {
	r := &Report{Lines: len(t.Lines), Groups: len(t.Groups)}
	r.Flaps, r.Outages = t.Counts()
	counts, err := lineCounts(ctx, a)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(t.Lines))
	for id := range t.Lines {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c, listed := counts[id]
		if !listed {
			r.Diffs = append(r.Diffs, fmt.Sprintf("line %s: not in GET /api/v1/lines", id))
			continue
		}
		if len(t.Lines[id]) == 0 && c == [2]int{} {
			continue // nothing happened and the list agrees: no detail call needed
		}
		var d struct {
			Events []apiEvent `json:"events"`
		}
		if err := a.get(ctx, "detail", "/api/v1/lines/"+url.PathEscape(id), &d); err != nil {
			return nil, err
		}
		var got []apiEvent
		pending := false
		for _, e := range d.Events {
			if (e.Kind != "flap" && e.Kind != "outage") || !e.Retracted.IsZero() {
				continue
			}
			pending = pending || !e.Final
			got = append(got, e)
		}
		if pending {
			r.Pending++
		}
		sort.Slice(got, func(i, j int) bool { return got[i].Start.Before(got[j].Start) })
		r.compareLine(id, t.Start, t.Lines[id], got)
	}
	groups, err := incidents(ctx, a)
	if err != nil {
		return nil, err
	}
	r.compareGroups(t, groups)
	return r, nil
}

func (r *Report) compareLine(id string, start time.Time, want []EventTruth, got []apiEvent) {
	var wf, wo, gf, go_ int
	for _, e := range want {
		if e.Kind == "flap" {
			wf++
		} else {
			wo++
		}
	}
	for _, e := range got {
		if e.Kind == "flap" {
			gf++
		} else {
			go_++
		}
	}
	if wf != gf || wo != go_ {
		r.Diffs = append(r.Diffs, fmt.Sprintf("line %s: controller %d flaps %d outages, truth %d flaps %d outages: controller %s, truth %s",
			id, gf, go_, wf, wo, eventList(got, start), truthList(want)))
		return
	}
	for i, w := range want {
		at := start.Add(time.Duration(w.From)*time.Second + time.Duration(w.SkewS*float64(time.Second)))
		g := got[i]
		off := g.Start.Sub(at)
		if g.Kind != w.Kind || off < -time.Second || off > time.Second {
			r.Diffs = append(r.Diffs, fmt.Sprintf("line %s event %d: controller %s at %+.1fs (%.0fs), truth %s at %ds (%ds)",
				id, i, g.Kind, g.Start.Sub(start).Seconds(), g.DurationS, w.Kind, w.From, w.To-w.From))
			continue
		}
		r.MatchedEvents++
	}
}

func eventList(es []apiEvent, start time.Time) string {
	var b []string
	for _, e := range es {
		b = append(b, fmt.Sprintf("%s@%+.1fs/%.0fs", e.Kind, e.Start.Sub(start).Seconds(), e.DurationS))
	}
	return "[" + strings.Join(b, " ") + "]"
}

func truthList(es []EventTruth) string {
	var b []string
	for _, e := range es {
		b = append(b, fmt.Sprintf("%s@%ds/%ds", e.Kind, e.From, e.To-e.From))
	}
	return "[" + strings.Join(b, " ") + "]"
}

// lineCounts reads GET /api/v1/lines page by page: flaps and outages
// (24 h) per line.
func lineCounts(ctx context.Context, a *API) (map[string][2]int, error) {
	out := map[string][2]int{}
	after := ""
	for {
		var page struct {
			Lines []struct {
				ID      string `json:"id"`
				Flaps   int    `json:"flaps_24h"`
				Outages int    `json:"outages_24h"`
			} `json:"lines"`
			Next string `json:"next"`
		}
		if err := a.get(ctx, "list", "/api/v1/lines?limit=1000&after="+url.QueryEscape(after), &page); err != nil {
			return nil, err
		}
		for _, l := range page.Lines {
			out[l.ID] = [2]int{l.Flaps, l.Outages}
		}
		if page.Next == "" {
			return out, nil
		}
		after = page.Next
	}
}

// incidents reads every incident, page by page.
func incidents(ctx context.Context, a *API) ([]apiIncident, error) {
	var all []apiIncident
	before := ""
	for {
		var page struct {
			Incidents []apiIncident `json:"incidents"`
			Next      string        `json:"next"`
		}
		path := "/api/v1/incidents?limit=1000"
		if before != "" {
			path += "&before=" + before
		}
		if err := a.get(ctx, "incidents", path, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Incidents...)
		if page.Next == "" {
			return all, nil
		}
		before = page.Next
	}
}

func (r *Report) compareGroups(t *Truth, got []apiIncident) {
	used := make([]bool, len(got))
	for _, g := range t.Groups {
		at := t.Start.Add(time.Duration(g.Start) * time.Second)
		found := false
		for i, inc := range got {
			off := inc.Start.Sub(at)
			if used[i] || inc.Root != g.Element || off < -3*time.Second || off > 4*time.Second {
				continue
			}
			used[i], found = true, true
			if inc.Lines != len(g.Lines) {
				r.Diffs = append(r.Diffs, fmt.Sprintf("grouped failure %s at %ds: incident %d has %d lines, truth %d", g.Element, g.Start, inc.ID, inc.Lines, len(g.Lines)))
			} else {
				r.MatchedGroups++
			}
			break
		}
		if !found {
			r.Diffs = append(r.Diffs, fmt.Sprintf("grouped failure %s at %ds (%d lines): no incident rooted there", g.Element, g.Start, len(g.Lines)))
		}
	}
	for i, inc := range got {
		if used[i] || inc.Root == "" || strings.HasSuffix(inc.Root, "-p") {
			continue // a line's own incident, not a shared element's
		}
		r.Diffs = append(r.Diffs, fmt.Sprintf("incident %d rooted at %s (%d lines, %s at %+.0fs) matches no grouped failure",
			inc.ID, inc.Root, inc.Lines, inc.Kind, inc.Start.Sub(t.Start).Seconds()))
	}
}
