package dashboards

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/internal/testinflux"
)

// runs are the two ways the test fills the variables: everything at All
// (the dashboards' default) and a pick of several values where allowed.
var runs = []struct {
	name  string
	picks selection
}{{"all", selection{"cell": {cellA}}}, {"picked", picked}}

// TestPanelQueriesReturnRows runs every panel query of every dashboard,
// interpolated as Grafana would, against InfluxDB 1.8.10 seeded with the
// scenario, and checks each returns rows with the columns and tags the
// panel expects (and that the names the panel's options use are among
// them).
func TestPanelQueriesReturnRows(t *testing.T) {
	ds, err := loadDashboards()
	if err != nil {
		t.Fatal(err)
	}
	srv := testinflux.Start(t)
	seed(t, srv)
	n := 0
	for _, d := range ds {
		from, to, err := rangeOf(d, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			sc := scope{from: from, to: to, interval: grafanaInterval(from, to), picks: r.picks}
			for _, p := range d.Panels {
				var cols []string
				for _, tg := range p.Targets {
					name := fmt.Sprintf("%s/%s/%s/%s", d.file, r.name, p.Title, tg.RefID)
					sh, err := runPanelQuery(srv, d, tg.Query, sc)
					if err != nil {
						t.Errorf("%s: %v", name, err)
						continue
					}
					n++
					cols = append(cols, sh.columns...)
					cols = append(cols, sh.tags...)
				}
				for _, f := range p.fieldNames() {
					if !slices.Contains(cols, f) {
						t.Errorf("%s: panel %q: its options name field %q, which no query returns (%v)", d.file, p.Title, f, cols)
					}
				}
			}
		}
	}
	t.Logf("%d panel queries ran against InfluxDB 1.8.10 and returned rows", n)
	t.Run("wrong names fail", func(t *testing.T) { checkCatchesWrongNames(t, srv, ds) })
	t.Run("figures", func(t *testing.T) { checkFigures(t, srv, ds) })
}

// checkCatchesWrongNames proves the checks above can fail: a panel query
// that passes, with its measurement, field, WHERE tag or GROUP BY tag
// renamed, must be refused by the run against InfluxDB (with the picked
// values) and by the contract check.
func checkCatchesWrongNames(t *testing.T, srv *testinflux.Server, ds []dashboard) {
	var d dashboard
	for _, x := range ds {
		if x.UID == "vantage-line-health" {
			d = x
		}
	}
	var good string
	for _, p := range d.Panels {
		if p.Title == "Ping RTT by line (avg)" {
			good = p.Targets[0].Query
		}
	}
	if good == "" {
		t.Fatal("vantage-line-health.json has no panel \"Ping RTT by line (avg)\"")
	}
	from, to, _ := rangeOf(d, now)
	sc := scope{from: from, to: to, interval: grafanaInterval(from, to), picks: picked}
	if _, err := runPanelQuery(srv, d, good, sc); err != nil {
		t.Fatalf("the unbroken query fails: %v", err)
	}
	for _, b := range []struct{ what, old, new string }{
		{"measurement", `FROM "ping"`, `FROM "pings"`},
		{"field", `mean("rtt_avg_ms")`, `mean("rtt_ms")`},
		{"WHERE tag", `"line" =~`, `"lines" =~`},
		{"GROUP BY tag", `, "line" fill`, `, "target_line" fill`},
	} {
		bad := strings.Replace(good, b.old, b.new, 1)
		if bad == good {
			t.Fatalf("%s: %q not in the query", b.what, b.old)
		}
		if _, err := runPanelQuery(srv, d, bad, sc); err == nil {
			t.Errorf("wrong %s: the query against InfluxDB passed\n%s", b.what, bad)
		} else {
			t.Logf("wrong %s refused by InfluxDB run: %v", b.what, strings.SplitN(err.Error(), "\n", 2)[0])
		}
		if err := contractNames(bad); err == nil {
			t.Errorf("wrong %s: the contract check passed\n%s", b.what, bad)
		}
	}
}

// runPanelQuery interpolates q, runs it and checks its rows.
func runPanelQuery(srv *testinflux.Server, d dashboard, q string, sc scope) (shape, error) {
	sh, err := shapeOf(q)
	if err != nil {
		return sh, err
	}
	iq, err := interpolate(q, d.Templating.List, sc)
	if err != nil {
		return sh, err
	}
	ss, err := influxQuery(srv.URL, srv.Database, iq)
	if err != nil {
		return sh, fmt.Errorf("%v\n%s", err, iq)
	}
	if err := checkRows(ss, sh); err != nil {
		return sh, fmt.Errorf("%v\n%s", err, iq)
	}
	return sh, nil
}

// TestTemplateVariableQueries runs every variable's query and compares
// the values with the scenario's: all of them with every variable at All,
// and for the variables that depend on another, those of the pick.
func TestTemplateVariableQueries(t *testing.T) {
	ds, err := loadDashboards()
	if err != nil {
		t.Fatal(err)
	}
	srv := testinflux.Start(t)
	seed(t, srv)
	for _, d := range ds {
		for _, r := range runs {
			for _, v := range d.Templating.List {
				if v.Type != "query" {
					continue
				}
				want := truth[v.Name]
				if r.name == "picked" && pickedTruth[v.Name] != nil {
					want = pickedTruth[v.Name]
				}
				got, err := runVariableQuery(srv, d, v, scope{picks: r.picks})
				if err != nil {
					t.Errorf("%s/%s: variable %s: %v", d.file, r.name, v.Name, err)
					continue
				}
				if want == nil {
					t.Errorf("%s: variable %s: the test's scenario has no truth for it", d.file, v.Name)
					continue
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s/%s: variable %s lists %v, want %v", d.file, r.name, v.Name, got, want)
				}
			}
		}
	}
}

// runVariableQuery interpolates and runs a variable's SHOW TAG VALUES and
// returns the values sorted.
func runVariableQuery(srv *testinflux.Server, d dashboard, v variable, sc scope) ([]string, error) {
	if !strings.HasPrefix(v.Query, "SHOW TAG VALUES ") {
		return nil, fmt.Errorf("query %q is not SHOW TAG VALUES", v.Query)
	}
	// A variable sees the others, not itself: its own pick is not in play.
	picks := selection{}
	for k, val := range sc.picks {
		if k != v.Name {
			picks[k] = val
		}
	}
	sc.picks = picks
	iq, err := interpolate(v.Query, d.Templating.List, sc)
	if err != nil {
		return nil, err
	}
	ss, err := influxQuery(srv.URL, srv.Database, iq)
	if err != nil {
		return nil, fmt.Errorf("%v\n%s", err, iq)
	}
	got, err := tagValues(ss)
	if err != nil {
		return nil, err
	}
	if len(got) == 0 {
		return nil, fmt.Errorf("no values\n%s", iq)
	}
	sort.Strings(got)
	return got, nil
}
