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
