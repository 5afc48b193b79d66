package report

import (
	"html/template"
	"io"
	"math"
	"time"
)

// HTML writes the report as one self-contained page: inline CSS, the
// chart as inline SVG, no script and no external resource, printable
// (A4, tables kept whole across pages where they fit).
func HTML(w io.Writer, r *Report, loc *time.Location) error {
	return page.Execute(w, htmlData{R: r, loc: loc})
}

type htmlData struct {
	R   *Report
	loc *time.Location
}

func (d htmlData) T(k string) string        { return t(d.R.Language, k) }
func (d htmlData) Clock(t time.Time) string { return clock(t, d.loc) }
func (d htmlData) Days() template.HTML      { return svgDays(d.R) }
func (d htmlData) Chart() template.HTML     { return svgChart(d.R) }
func (d htmlData) Pct(v float64) string     { return pct(v) }
func (d htmlData) Min(s float64) string     { return mins(s) }
func (d htmlData) Num(v float64) string     { return num(math.Round(v*1e4) / 1e4) } // JSON and CSV keep every digit
func (d htmlData) Ratio(v float64) string   { return pct(100 * v) }
func (d htmlData) Met(l Line) string {
	return map[bool]string{true: d.T("met"), false: d.T("missed")}[l.Met]
}
func (d htmlData) End(t time.Time) string {
	if t.IsZero() {
		return d.T("ongoing")
	}
	return d.Clock(t)
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="{{.R.Language}}"><head><meta charset="utf-8">
<title>{{.T "title"}} · {{.R.Customer.Name}}</title>
<style>
body{font-family:"Noto Sans CJK SC","Droid Sans Fallback","Microsoft YaHei",sans-serif;margin:24px;color:#222;font-size:13px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;border-bottom:1px solid #999;margin-top:20px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #bbb;padding:3px 5px;text-align:left;vertical-align:top}
th{background:#eee}td.n{text-align:right}.missed{color:#c62828;font-weight:bold}.met{color:#2e7d32}
.meta td{border:none;padding:1px 8px 1px 0}ul.tl{margin:0;padding-left:14px}
@media print{@page{size:A4;margin:12mm}body{margin:0}table,svg{page-break-inside:avoid}h2{page-break-after:avoid}}
</style></head><body>
<h1>{{.T "title"}}</h1>
<table class="meta"><tr><td>{{.T "customer"}}</td><td>{{.R.Customer.Name}} ({{.R.Customer.ID}})</td><td>{{.T "tier"}}</td><td>{{.R.Customer.Tier}}</td></tr>
<tr><td>{{.T "period"}}</td><td>{{.Clock .R.From}} – {{.Clock .R.To}}</td><td>{{.T "zone"}}</td><td>{{.R.Zone}}</td></tr>
<tr><td>{{.T "manager"}}</td><td>{{.R.Customer.AccountManager}}</td><td>{{.T "generated"}}</td><td>{{.Clock .R.Made}}</td></tr></table>
<h2>{{.T "summary"}}</h2>
<table><tr><th>{{.T "avail"}}</th><th>{{.T "lines_missed"}}</th><th>{{.T "outages"}}</th><th>{{.T "outage_min"}}</th><th>{{.T "longest_min"}}</th><th>{{.T "flaps"}}</th><th>{{.T "flapping"}}</th><th>{{.T "degradations"}}</th><th>{{.T "mttr_min"}}</th><th>{{.T "incidents"}}</th><th>{{.T "complaints"}}</th></tr>
{{with .R.Summary}}<tr><td class="n">{{$.Pct .AvailabilityPct}}%</td><td class="n">{{.LinesMissed}}/{{.Lines}}</td><td class="n">{{.Outages}}</td><td class="n">{{$.Min .OutageSeconds}}</td><td class="n">{{$.Min .LongestSeconds}}</td><td class="n">{{.Flaps}}</td><td class="n">{{.FlappingPeriods}}</td><td class="n">{{.Degradations}}</td><td class="n">{{$.Min .MTTRSeconds}}</td><td class="n">{{.Incidents}}</td><td class="n">{{.Complaints}}</td></tr>{{end}}</table>
<h2>{{.T "chart"}}</h2>
{{.Chart}}
<h2>{{.T "daily"}}</h2>
{{.Days}}
<h2>{{.T "lines"}}</h2>
<table><tr><th>{{.T "line"}}</th><th>{{.T "target"}}</th><th>{{.T "avail"}}</th><th>SLA</th><th>{{.T "shortfall"}}</th><th>{{.T "outages"}}</th><th>{{.T "outage_min"}}</th><th>{{.T "longest_min"}}</th><th>{{.T "flaps"}}</th><th>{{.T "flapping"}}</th><th>{{.T "degradations"}}</th><th>{{.T "degraded_min"}}</th><th>{{.T "mttr_min"}}</th></tr>
{{range .R.Lines}}<tr><td>{{.ID}}{{if .Provisional}} *{{end}}</td><td class="n">{{$.Pct .TargetPct}}%</td><td class="n">{{$.Pct .AvailabilityPct}}%</td><td class="{{if .Met}}met{{else}}missed{{end}}">{{$.Met .}}</td><td class="n">{{if not .Met}}{{$.Pct .ShortfallPct}}%{{end}}</td><td class="n">{{.Outages}}</td><td class="n">{{$.Min .OutageSeconds}}</td><td class="n">{{$.Min .LongestSeconds}}</td><td class="n">{{.Flaps}}</td><td class="n">{{.FlappingPeriods}}</td><td class="n">{{.Degradations}}</td><td class="n">{{$.Min .DegradedSeconds}}</td><td class="n">{{$.Min .MTTRSeconds}}</td></tr>
{{end}}</table>
<h2>{{.T "incidents"}}</h2>
{{if .R.Incidents}}<table><tr><th>#</th><th>{{.T "kind"}}</th><th>{{.T "start"}}</th><th>{{.T "end"}}</th><th>{{.T "minutes"}}</th><th>{{.T "cause"}}</th><th>{{.T "timeline"}}</th></tr>
{{range .R.Incidents}}<tr><td>{{.ID}}</td><td>{{.Kind}}</td><td>{{$.Clock .Start}}</td><td>{{$.End .End}}</td><td class="n">{{$.Min .Seconds}}</td><td>{{.Cause}}{{if .Root}} ({{.Root}}){{end}}{{if .CauseNote}}<br>{{.CauseNote}}{{end}}</td>
<td><ul class="tl">{{range .Timeline}}<li>{{$.Clock .Time}} {{.Line}} {{.What}}{{if .Note}}: {{.Note}}{{end}}</li>{{end}}</ul></td></tr>
{{end}}</table>{{else}}<p>{{.T "none"}}</p>{{end}}
<h2>{{.T "complaints"}}</h2>
{{if .R.Complaints}}<table><tr><th>ID</th><th>{{.T "received"}}</th><th>{{.T "category"}}</th><th>{{.T "verdict"}}</th><th>{{.T "repeat"}}</th><th>{{.T "lines"}}</th></tr>
{{range .R.Complaints}}<tr><td>{{.ID}}</td><td>{{$.Clock .Received}}</td><td>{{.Category}}</td><td>{{.Verdict}}</td><td>{{if .Repeat}}✔{{end}}</td><td>{{range .Lines}}{{.}} {{end}}</td></tr>
{{end}}</table>{{else}}<p>{{.T "none"}}</p>{{end}}
{{with .R.Notifications}}<h2>{{$.T "notifications"}}</h2>
<table><tr><th>{{$.T "sent"}}</th><th>{{$.T "impacts"}}</th><th>{{$.T "told_first"}}</th><th>{{$.T "proactive"}}</th></tr>
<tr><td class="n">{{.Sent}}</td><td class="n">{{.Impacts}}</td><td class="n">{{.ToldFirst}}</td><td class="n">{{$.Ratio .ProactiveRatio}}%</td></tr></table>{{end}}
<h2>{{.T "tree"}}</h2>
<table><tr><th>{{.T "layer"}}</th><th>{{.T "indicator"}}</th><th>{{.T "value"}}</th><th>{{.T "definition"}}</th><th>{{.T "from"}}</th></tr>
{{range .R.Tree}}<tr id="{{.ID}}"><td>{{.Layer}}</td><td>{{.Name}}</td><td class="n">{{$.Num .Value}} {{.Unit}}</td><td>{{.Define}}</td><td>{{range .From}}<a href="#{{.}}">{{.}}</a> {{end}}</td></tr>
{{end}}</table>
</body></html>
`))
