package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestWebUIOverview5000Lines measures the overview with 5,000 inventory
// lines (250 customers) in headless Chromium: from the request to the
// load event, five loads after a warm-up, median and worst printed. It is
// a measurement (docs/BENCHMARKS.md), not a pass/fail timing; it fails
// only when the page does not show the 5,000 lines.
//
//	VANTAGE_REQUIRE_LAB=1 go test -count=1 -run TestWebUIOverview5000Lines -v ./internal/e2e/
func TestWebUIOverview5000Lines(t *testing.T) {
	if testing.Short() {
		t.Skip("browser e2e")
	}
	chromiumPath(t)
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	var y strings.Builder
	y.WriteString("customers:\n")
	for i := range 250 {
		fmt.Fprintf(&y, "  - {id: C%03d, name: Customer %d, tier: %s}\n", i, i, []string{"diamond", "gold", "silver"}[i%3])
	}
	y.WriteString("lines:\n")
	for i := range 5000 {
		fmt.Fprintf(&y, "  - {circuit_id: L%05d, customer: C%03d}\n", i, i%250)
	}
	importInventory(t, dataDir, y.String())
	c := startControllerWith(t, influx, dataDir, "")
	tok, _ := apiTokens.Load(c)
	ui := "http://" + c.HTTPAddr() + "/ui/"

	bctx, stop := newBrowser(t, "UTC")
	defer stop()
	step := func(a ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		ctx, cancel := context.WithTimeout(bctx, time.Minute)
		defer cancel()
		if err := chromedp.Do(ctx, a...); err != nil {
			t.Fatal(err)
		}
	}
	step(chromedp.Navigate(ui), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), tok.(string)), chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("live")))
	var total, server []float64
	for i := range 6 {
		step(chromedp.Navigate(ui), chromedp.WaitVisible(chromedp.ID("n-total")))
		n, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("n-total")))
		if err != nil || n != "5000" {
			t.Fatalf("overview shows %q lines (%v), want 5000", n, err)
		}
		// The navigation entry of this load: request start to first
		// byte (the controller's work) and start to load event.
		var nav struct {
			Start, RequestStart, ResponseStart, LoadEventEnd float64
		}
		ctx, cancel := context.WithTimeout(bctx, time.Minute)
		nav, err = chromedp.Run(ctx, chromedp.Evaluate[struct {
			Start, RequestStart, ResponseStart, LoadEventEnd float64
		}](`new Promise(r => { const f = () => { const e = performance.getEntriesByType("navigation")[0];
			if (e.loadEventEnd > 0) r({Start: e.startTime, RequestStart: e.requestStart, ResponseStart: e.responseStart, LoadEventEnd: e.loadEventEnd});
			else setTimeout(f, 20); }; f(); })`, chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			continue // warm-up
		}
		total = append(total, nav.LoadEventEnd-nav.Start)
		server = append(server, nav.ResponseStart-nav.RequestStart)
	}
	sort.Float64s(total)
	sort.Float64s(server)
	t.Logf("overview, 5,000 lines, 250 customers: load event median %.0f ms (worst %.0f ms); request to first byte median %.0f ms (worst %.0f ms); %d loads",
		total[len(total)/2], total[len(total)-1], server[len(server)/2], server[len(server)-1], len(total))
}
