package dashboards

import (
	"testing"

	"github.com/vantage-net/vantage/internal/testinflux"
)

// figures are single-number panels whose value the scenario fixes, per
// run: they prove the interpolation means what Grafana's does (All
// matches every series, a pick only its own), not merely that rows come.
var figures = []struct {
	file, panel, run, column string
	want                     float64
}{
	{"vantage-fleet.json", "Agents online", "all", "online", 2},
	{"vantage-fleet.json", "Agents offline", "all", "offline", 1},
	{"vantage-fleet.json", "Agents online", "picked", "online", 1},   // a1 (a3 is offline)
	{"vantage-fleet.json", "Agents offline", "picked", "offline", 1}, // a3
	{"vantage-flaps.json", "Lines flapping now", "all", "flapping_lines", 1},
	{"vantage-flaps.json", "Lines flapping now", "picked", "flapping_lines", 0},
	{"vantage-incidents.json", "Minutes down", "all", "minutes_down", 14},
	{"vantage-incidents.json", "Minutes down", "picked", "minutes_down", 4},
	{"vantage-incidents.json", "Outages", "all", "outages", 2},
}

func checkFigures(t *testing.T, srv *testinflux.Server, ds []dashboard) {
	for _, f := range figures {
		var d dashboard
		for _, x := range ds {
			if x.file == f.file {
				d = x
			}
		}
		var q string
		for _, p := range d.Panels {
			if p.Title == f.panel && p.Type == "stat" {
				q = p.Targets[0].Query
			}
		}
		if q == "" {
			t.Errorf("%s: no stat panel %q", f.file, f.panel)
			continue
		}
		var sc scope
		for _, r := range runs {
			if r.name == f.run {
				from, to, _ := rangeOf(d, now)
				sc = scope{from: from, to: to, interval: grafanaInterval(from, to), picks: r.picks}
			}
		}
		iq, err := interpolate(q, d.Templating.List, sc)
		if err != nil {
			t.Fatal(err)
		}
		ss, err := influxQuery(srv.URL, srv.Database, iq)
		if err != nil || len(ss) != 1 || len(ss[0].Values) != 1 {
			t.Errorf("%s/%s/%s: %v %+v", f.file, f.run, f.panel, err, ss)
			continue
		}
		var got any
		for i, c := range ss[0].Columns {
			if c == f.column {
				got = ss[0].Values[0][i]
			}
		}
		if v, ok := got.(float64); !ok || v != f.want {
			t.Errorf("%s/%s/%s: %s = %v, want %v\n%s", f.file, f.run, f.panel, f.column, got, f.want, iq)
		}
	}
}
