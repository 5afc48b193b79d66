package dashboards

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// dsUID is the provisioned data source's uid (provisioning/datasources).
const dsUID = "vantage-influxdb"

// dashboard is the part of a Grafana dashboard JSON the tests read.
type dashboard struct {
	file          string
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Time          struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type variable struct {
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Datasource *datasource `json:"datasource"`
	Query      string      `json:"query"`
	Multi      bool        `json:"multi"`
	IncludeAll bool        `json:"includeAll"`
	AllValue   string      `json:"allValue"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	GridPos    *struct {
		W, H int
	} `json:"gridPos"`
	Targets []target `json:"targets"`
	// Options and Transformations are kept raw: fieldNames finds the
	// columns they name.
	Options         json.RawMessage `json:"options"`
	Transformations json.RawMessage `json:"transformations"`
	FieldConfig     json.RawMessage `json:"fieldConfig"`
}

type target struct {
	RefID        string      `json:"refId"`
	Datasource   *datasource `json:"datasource"`
	RawQuery     bool        `json:"rawQuery"`
	ResultFormat string      `json:"resultFormat"`
	Query        string      `json:"query"`
}

// loadDashboards reads every vantage-*.json of the package directory.
func loadDashboards() ([]dashboard, error) {
	files, err := filepath.Glob("vantage-*.json")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no vantage-*.json dashboards")
	}
	sort.Strings(files)
	var out []dashboard
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var d dashboard
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		d.file = f
		out = append(out, d)
	}
	return out, nil
}

// fieldNames lists the column names a panel's options and transformations
// refer to (geomap locations and dimensions, table sorting, filters,
// overrides by name), which
// its queries must return.
func (p panel) fieldNames() []string {
	var names []string
	var walk func(k string, v any)
	walk = func(k string, v any) {
		switch x := v.(type) {
		case map[string]any:
			// An override's matcher {id: byName, options: NAME}.
			if x["id"] == "byName" {
				if n, ok := x["options"].(string); ok {
					names = append(names, n)
				}
			}
			for kk, vv := range x {
				walk(kk, vv)
			}
		case []any:
			for _, vv := range x {
				walk(k, vv)
			}
		case string:
			switch k {
			case "field", "geohash", "latitude", "longitude", "displayName", "fieldName":
				names = append(names, x)
			}
		}
	}
	for _, raw := range []json.RawMessage{p.Options, p.Transformations, p.FieldConfig} {
		if len(raw) == 0 {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err == nil {
			walk("", v)
		}
	}
	return names
}

// selection is what a user picked for each variable: nil means All.
type selection map[string][]string

// scope is one query execution's context: the time range and the picks.
type scope struct {
	from, to time.Time
	interval time.Duration
	picks    selection
}

// rangeOf resolves a dashboard's "now-6h" .. "now" against now.
func rangeOf(d dashboard, now time.Time) (time.Time, time.Time, error) {
	m := regexp.MustCompile(`^now-(\d+)([mhd])$`).FindStringSubmatch(d.Time.From)
	if m == nil || d.Time.To != "now" {
		return time.Time{}, time.Time{}, fmt.Errorf("%s: time range %q..%q is not now-N[mhd]..now", d.file, d.Time.From, d.Time.To)
	}
	var n int
	fmt.Sscan(m[1], &n)
	unit := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[m[2]]
	return now.Add(-time.Duration(n) * unit), now, nil
}

// grafanaInterval is $__interval as Grafana derives it: the range over
// the panel's data points (about 1,000 on a wide panel), rounded up to a
// round step and not below the data source's timeInterval (10s).
func grafanaInterval(from, to time.Time) time.Duration {
	raw := to.Sub(from) / 1000
	for _, s := range []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second, time.Minute,
		2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour} {
		if s >= raw {
			return s
		}
	}
	return time.Hour
}

// influxDuration writes d as an InfluxQL duration literal (10s, 2m, 1h).
func influxDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	default:
		return fmt.Sprintf("%ds", d/time.Second)
	}
}

// regexEscape is Grafana's kbn.regexEscape / escapeRegex.
var regexSpecial = regexp.MustCompile(`[\\^$*+?.()|\[\]{}/]`)

func regexEscape(s string) string { return regexSpecial.ReplaceAllString(s, `\$0`) }

var varRef = regexp.MustCompile(`\$(\w+)|\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]`)

// interpolate replaces the InfluxQL data source's macros ($timeFilter,
// $__interval, $interval, $__interval_ms, ${__from}, ${__to}) and the
// dashboard's variables the way Grafana's InfluxDB data source does for
// InfluxQL (interpolateQueryExpr): All is the variable's allValue,
// unescaped; a multi or include-all variable's values are regex-escaped,
// several joined as (a|b); a plain variable's value is left as is.
// An unknown variable is an error, not left in the query.
func interpolate(q string, vars []variable, sc scope) (string, error) {
	byName := map[string]variable{}
	for _, v := range vars {
		byName[v.Name] = v
	}
	var err error
	out := varRef.ReplaceAllStringFunc(q, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		switch name {
		case "timeFilter":
			return fmt.Sprintf("time >= %dms and time <= %dms", sc.from.UnixMilli(), sc.to.UnixMilli())
		case "__interval", "interval":
			return influxDuration(sc.interval)
		case "__interval_ms":
			return fmt.Sprint(sc.interval.Milliseconds())
		case "__from":
			return fmt.Sprint(sc.from.UnixMilli())
		case "__to":
			return fmt.Sprint(sc.to.UnixMilli())
		}
		v, ok := byName[name]
		if !ok {
			err = fmt.Errorf("query uses $%s, which is neither a macro nor a variable of the dashboard", name)
			return ref
		}
		picked := sc.picks[name]
		if picked == nil {
			if !v.IncludeAll || v.AllValue == "" {
				err = fmt.Errorf("variable %s has no pick and no allValue", name)
				return ref
			}
			return v.AllValue
		}
		if !v.Multi && !v.IncludeAll {
			return picked[0]
		}
		esc := make([]string, len(picked))
		for i, s := range picked {
			esc[i] = regexEscape(s)
		}
		if len(esc) == 1 {
			return esc[0]
		}
		return "(" + strings.Join(esc, "|") + ")"
	})
	return out, err
}
