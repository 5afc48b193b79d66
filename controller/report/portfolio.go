package report

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/vantage-net/vantage/internal/csvsafe"
)

// Portfolio is an account manager's customers ranked by impact.
type Portfolio struct {
	Manager   string         `json:"account_manager"`
	From      time.Time      `json:"from"`
	To        time.Time      `json:"to"`
	Language  string         `json:"language"`
	Customers []PortfolioRow `json:"customers"`
	Reports   []*Report      `json:"-"`
}

// PortfolioRow is one customer's impact figures.
type PortfolioRow struct {
	Rank            int     `json:"rank"`
	Customer        string  `json:"customer"`
	Name            string  `json:"name"`
	Tier            string  `json:"tier"`
	Lines           int     `json:"lines"`
	LinesMissed     int     `json:"lines_sla_missed"`
	ShortfallPct    float64 `json:"shortfall_pct"`
	OutageSeconds   float64 `json:"outage_seconds"`
	Repeats         int     `json:"complaints_repeat"`
	Complaints      int     `json:"complaints"`
	AvailabilityPct float64 `json:"availability_pct"`
}

// Portfolio builds the reports of every customer of manager and ranks
// them by impact: availability shortfall against SLA (summed over lines)
// first, then outage minutes, then repeat complaints. progress, if set,
// is told after each customer.
func (b *Builder) Portfolio(ctx context.Context, manager string, from, to time.Time, lang string,
	progress func(done, total int, customer string)) (*Portfolio, error) {
	rows, err := b.o.DB.QueryContext(ctx, `SELECT id FROM customers WHERE account_manager = ? ORDER BY id`, manager)
	if err != nil {
		return nil, fmt.Errorf("report: customers of %s: %w", manager, err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	p := &Portfolio{Manager: manager, From: from, To: to, Language: normLang(lang), Customers: []PortfolioRow{}}
	for i, id := range ids {
		r, err := b.Customer(ctx, id, from, to, lang)
		if err != nil {
			return nil, err
		}
		s := r.Summary
		p.Reports = append(p.Reports, r)
		p.Customers = append(p.Customers, PortfolioRow{Customer: id, Name: r.Customer.Name, Tier: r.Customer.Tier,
			Lines: s.Lines, LinesMissed: s.LinesMissed, ShortfallPct: s.ShortfallPct, OutageSeconds: s.OutageSeconds,
			Repeats: s.Repeats, Complaints: s.Complaints, AvailabilityPct: s.AvailabilityPct})
		if progress != nil {
			progress(i+1, len(ids), id)
		}
	}
	slices.SortStableFunc(p.Customers, func(a, b PortfolioRow) int {
		return cmp.Or(cmp.Compare(b.ShortfallPct, a.ShortfallPct), cmp.Compare(b.OutageSeconds, a.OutageSeconds),
			cmp.Compare(b.Repeats, a.Repeats), cmp.Compare(a.Customer, b.Customer))
	})
	for i := range p.Customers {
		p.Customers[i].Rank = i + 1
	}
	return p, nil
}

// PortfolioCSV writes the ranking.
func PortfolioCSV(w io.Writer, p *Portfolio) error {
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"rank", "customer", "name", "tier", "lines", "lines_sla_missed", "shortfall_pct", "outage_seconds",
		"complaints_repeat", "complaints", "availability_pct"})
	for _, c := range p.Customers {
		cw.Write([]string{strconv.Itoa(c.Rank), c.Customer, c.Name, c.Tier, strconv.Itoa(c.Lines), strconv.Itoa(c.LinesMissed),
			num(c.ShortfallPct), num(c.OutageSeconds), strconv.Itoa(c.Repeats), strconv.Itoa(c.Complaints), num(c.AvailabilityPct)})
	}
	return cw.Flush()
}

// PortfolioHTML writes the ranking as a self-contained page (also the
// body of the scheduled mail).
func PortfolioHTML(w io.Writer, p *Portfolio, loc *time.Location) error {
	return portfolioPage.Execute(w, map[string]any{"P": p, "From": clock(p.From, loc), "To": clock(p.To, loc),
		"T": func(k string) string { return t(p.Language, k) }, "Pct": pct, "Min": mins})
}

var portfolioPage = template.Must(template.New("portfolio").Parse(`<!DOCTYPE html>
<html lang="{{.P.Language}}"><head><meta charset="utf-8"><title>{{call .T "portfolio"}}</title>
<style>body{font-family:sans-serif;font-size:13px}table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:3px 6px}th{background:#eee}td.n{text-align:right}</style>
</head><body><h1>{{call .T "portfolio"}}</h1>
<p>{{call .T "manager"}}: {{.P.Manager}} · {{call .T "period"}}: {{.From}} – {{.To}}</p>
<table><tr><th>{{call .T "rank"}}</th><th>{{call .T "customer"}}</th><th>{{call .T "tier"}}</th><th>{{call .T "shortfall"}}</th><th>{{call .T "outage_min"}}</th><th>{{call .T "repeat"}}</th><th>{{call .T "avail"}}</th><th>{{call .T "lines_missed"}}</th></tr>
{{range .P.Customers}}<tr><td class="n">{{.Rank}}</td><td>{{.Name}} ({{.Customer}})</td><td>{{.Tier}}</td><td class="n">{{call $.Pct .ShortfallPct}}%</td><td class="n">{{call $.Min .OutageSeconds}}</td><td class="n">{{.Repeats}}</td><td class="n">{{call $.Pct .AvailabilityPct}}%</td><td class="n">{{.LinesMissed}}/{{.Lines}}</td></tr>
{{end}}</table></body></html>
`))
