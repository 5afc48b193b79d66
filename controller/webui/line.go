package webui

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/vantage-net/vantage/controller/complaints"
	"github.com/vantage-net/vantage/controller/linehealth"
)

type lineData struct {
	linehealth.LineDetail
	Chart      chart
	Series     *seriesChart
	SeriesErr  bool
	Complaints []complaints.Complaint
}

// chart is the line's last 24 h drawn as inline SVG by the template: one
// band per outage or flap, its height the event's loss. It is drawn from
// the controller's stored events, not from InfluxDB's RTT/jitter series.
type chart struct {
	W, H  int
	Bands []band
	Ticks []tick
}

type band struct {
	X, Y, W, H float64
	Kind       string
	Label      string
}

type tick struct {
	X, Y  float64
	Label string
}

const chartW, chartH = 720, 120

func makeChart(events []linehealth.EventView, now time.Time, loc *time.Location) chart {
	c := chart{W: chartW, H: chartH}
	from := now.Add(-24 * time.Hour)
	x := func(t time.Time) float64 {
		if t.Before(from) {
			t = from
		}
		if t.After(now) {
			t = now
		}
		return float64(chartW) * t.Sub(from).Seconds() / (24 * time.Hour).Seconds()
	}
	for _, e := range events {
		if e.Kind != "outage" && e.Kind != "flap" || !e.Retracted.IsZero() {
			continue
		}
		end := e.End
		if end.IsZero() {
			end = now
		}
		h := float64(chartH-20) * max(0.05, min(1, e.LossPct/100))
		w := max(2, x(end)-x(e.Start))
		c.Bands = append(c.Bands, band{X: x(e.Start), Y: float64(chartH-20) - h, W: w, H: h, Kind: e.Kind,
			Label: fmt.Sprintf("%s %s–%s, %.0f %%", e.Kind, e.Start.In(loc).Format("15:04:05"), end.In(loc).Format("15:04:05"), e.LossPct)})
	}
	return c
}

// addOpen draws the outage still open (state down since since), which is
// not an event until it ends.
func (c *chart) addOpen(state string, since, now time.Time, loc *time.Location) {
	if state != "down" || since.IsZero() {
		return
	}
	from := now.Add(-24 * time.Hour)
	if since.Before(from) {
		since = from
	}
	x := float64(chartW) * since.Sub(from).Seconds() / (24 * time.Hour).Seconds()
	h := float64(chartH - 20)
	c.Bands = append(c.Bands, band{X: x, Y: 0, W: max(2, float64(chartW)-x), H: h, Kind: "outage",
		Label: fmt.Sprintf("outage since %s (open)", since.In(loc).Format("15:04:05"))})
}

func (c *chart) addTicks(now time.Time, loc *time.Location) {
	from := now.Add(-24 * time.Hour)
	for i := 0; i <= 24; i += 6 {
		t := from.Add(time.Duration(i) * time.Hour)
		c.Ticks = append(c.Ticks, tick{X: float64(chartW) * float64(i) / 24, Label: t.In(loc).Format("15:04")})
	}
}

// line is GET /ui/lines/{id}.
func (u *UI) line(w http.ResponseWriter, r *http.Request, v *view) {
	var d lineData
	if err := u.get(r.Context(), v.ss, "/api/v1/lines/"+url.PathEscape(r.PathValue("id")), &d.LineDetail); err != nil {
		u.fail(w, r, v, err)
		return
	}
	now := u.now()
	d.Chart = makeChart(d.Events, now, v.Loc)
	d.Chart.addOpen(d.State, d.Since, now, v.Loc)
	d.Chart.addTicks(now, v.Loc)
	rng := r.URL.Query().Get("range")
	if s, err := u.querySeries(r.Context(), d.ID, rng); err != nil {
		// The page stands without the chart; logged once, here.
		u.log.Warn("ui line series", "line", d.ID, "err", err)
		d.SeriesErr = true
	} else {
		d.Series = makeSeriesChart(s, rng, now, v.Loc)
	}
	if d.Customer != "" {
		var cs struct {
			Complaints []complaints.Complaint `json:"complaints"`
		}
		if err := u.get(r.Context(), v.ss, "/api/v1/complaints?limit=100&customer="+url.QueryEscape(d.Customer), &cs); err == nil {
			for _, c := range cs.Complaints {
				if len(c.Lines) == 0 || contains(c.Lines, d.ID) {
					d.Complaints = append(d.Complaints, c)
				}
			}
		}
	}
	v.Title, v.Data = v.L["line"]+" "+d.ID, &d
	u.render(w, http.StatusOK, "line", v)
}

func contains(a []string, s string) bool {
	for _, x := range a {
		if x == s {
			return true
		}
	}
	return false
}
