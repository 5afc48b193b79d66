package report

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/report/reporttest"
)

// The portfolio ranks by shortfall, then outage minutes, then repeats,
// and holds the manager's customers only.
func TestPortfolioRanksByImpact(t *testing.T) {
	_, b := scenario(t)
	var seen []string
	p, err := b.Portfolio(context.Background(), reporttest.Manager, reporttest.From, reporttest.To, "en",
		func(done, total int, c string) { seen = append(seen, c) })
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range p.Customers {
		order = append(order, c.Customer)
	}
	if want := []string{reporttest.Customer, "C-SH-003", "C-SH-004"}; !slices.Equal(order, want) {
		t.Errorf("ranking %v, want %v", order, want)
	}
	if len(seen) != 3 || len(p.Reports) != 3 || p.Customers[1].OutageSeconds != 4000 || p.Customers[2].Repeats != 1 || p.Customers[0].Rank != 1 {
		t.Errorf("portfolio %+v, progress %v", p.Customers, seen)
	}
	var buf bytes.Buffer
	if err := PortfolioHTML(&buf, p, b.Location()); err != nil || !strings.Contains(buf.String(), "浦东物流") {
		t.Errorf("portfolio page: %v", err)
	}
}

// A name a spreadsheet would run as a formula is written inert in both
// CSVs (internal/csvsafe); numbers stay numbers.
func TestCSVNeutralisesFormulas(t *testing.T) {
	db, b := scenario(t)
	if _, err := db.Exec(`UPDATE customers SET name = '=HYPERLINK("http://x.invalid","a")' WHERE id = 'C-SH-003'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE lines SET circuit_id = '@L3' WHERE circuit_id = 'L3'`); err != nil {
		t.Fatal(err)
	}
	p, err := b.Portfolio(context.Background(), reporttest.Manager, reporttest.From, reporttest.To, "en", nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := PortfolioCSV(&buf, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"'=HYPERLINK(`) {
		t.Errorf("portfolio CSV:\n%s", buf.String())
	}
	buf.Reset()
	if err := CSV(&buf, p.Reports[1], b.Location()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), ",'@L3,") {
		t.Errorf("report CSV:\n%s", buf.String())
	}
}
