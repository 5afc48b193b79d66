package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// pingBucket is one 30-s bucket of line L-PING's ping results: what the
// line page's chart must show for it (InfluxDB's mean per bucket).
type pingBucket struct {
	start                 time.Time
	rtt, loss, jitter, n  float64
	sumRTT, sumLoss, sumJ float64
}

// checkPingChart opens line L-PING's page (last hour) and checks its RTT /
// loss / jitter chart against what was written to InfluxDB: the ping
// agent's own results (loopback, stopped by stop, which returns how many it
// published) and two points written here with known values, 40 and 20
// minutes ago. Each bucket's row in the chart's table must equal the mean
// of the raw points in it; the drawing has one RTT dot per bucket, a
// jitter line, and one loss bar per bucket with loss.
func checkPingChart(t *testing.T, ctx, bctx context.Context, influx *testinflux.Server, ui string, stop func() float64) {
	t.Helper()
	pingRows := func() []map[string]any {
		rows, err := influx.Points(ctx, "ping")
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, r := range rows {
			if r["line"] == "L-PING" {
				out = append(out, r)
			}
		}
		return out
	}
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		if n := len(pingRows()); n < 6 {
			return fmt.Errorf("%d ping results of L-PING in InfluxDB, want 6", n)
		}
		return nil
	})
	published := stop()
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		if n := len(pingRows()); float64(n) != published {
			return fmt.Errorf("%d ping results of L-PING in InfluxDB, the agent published %.0f", n, published)
		}
		return nil
	})
	// Two points with known values: one with loss, one without.
	now := time.Now()
	known := []struct {
		at                time.Time
		rtt, loss, jitter float64
	}{
		{now.Add(-40 * time.Minute).Truncate(30 * time.Second).Add(5 * time.Second), 42.5, 25, 7.5},
		{now.Add(-20 * time.Minute).Truncate(30 * time.Second).Add(5 * time.Second), 18.25, 0, 2.125},
	}
	var lp strings.Builder
	for _, k := range known {
		fmt.Fprintf(&lp, "ping,line=L-PING,agent=ui-test rtt_avg_ms=%g,loss_pct=%g,jitter_ms=%g %d\n", k.rtt, k.loss, k.jitter, k.at.UnixMilli())
	}
	db, rp, _ := strings.Cut(influx.Bucket, "/")
	resp, err := http.Post(influx.URL+"/write?"+url.Values{"db": {db}, "rp": {rp}, "precision": {"ms"}}.Encode(), "text/plain", strings.NewReader(lp.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("write known ping points: %s", resp.Status)
	}

	// What the chart must show: the mean of each 30-s bucket, as
	// InfluxDB's GROUP BY time(30s) makes them (epoch-aligned), in time
	// order.
	var buckets []*pingBucket
	byStart := map[int64]*pingBucket{} // by the bucket's Unix ms
	bucketOf := func(t time.Time) int64 { return t.Truncate(30 * time.Second).UnixMilli() }
	for _, r := range pingRows() {
		at, _ := r["_time"].(time.Time)
		b := byStart[bucketOf(at)]
		if b == nil {
			b = &pingBucket{start: at.Truncate(30 * time.Second)}
			byStart[bucketOf(at)] = b
			buckets = append(buckets, b)
		}
		f := func(k string) float64 { v, _ := r[k].(float64); return v }
		b.n++
		b.sumRTT += f("rtt_avg_ms")
		b.sumLoss += f("loss_pct")
		b.sumJ += f("jitter_ms")
		b.rtt, b.loss, b.jitter = b.sumRTT/b.n, b.sumLoss/b.n, b.sumJ/b.n
	}
	if len(buckets) < 3 {
		t.Fatalf("only %d buckets of ping results", len(buckets))
	}

	sctx, cancel := context.WithTimeout(bctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, chromedp.Navigate(ui+"lines/L-PING?range=1h"), chromedp.WaitVisible(chromedp.ID("series"))); err != nil {
		t.Fatalf("L-PING's page: %v", err)
	}
	var got struct {
		Caption string
		Rows    [][]string
		Dots    int
		Jitter  string
		Loss    []string
	}
	js := `JSON.stringify({
		Caption: document.querySelector("#series title").textContent,
		Rows: Array.from(document.querySelectorAll("#series-values tbody tr")).map(tr => Array.from(tr.cells).map(td => td.textContent)),
		Dots: document.querySelectorAll("#series circle.rtt").length,
		Jitter: (document.querySelector("#series polyline.jitter") || {getAttribute: () => ""}).getAttribute("points"),
		Loss: Array.from(document.querySelectorAll("#series rect.band-loss title")).map(e => e.textContent)})`
	s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(s), &got); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Caption, "(ping, 1h)") {
		t.Errorf("chart of %q, want the ping series", got.Caption)
	}
	if len(got.Rows) != len(buckets) || got.Dots != len(buckets) {
		t.Fatalf("chart has %d rows and %d RTT dots, InfluxDB %d buckets of L-PING: %v", len(got.Rows), got.Dots, len(buckets), got.Rows)
	}
	loc := mustZone(t, "Asia/Shanghai")
	lossBars := 0
	for i, b := range buckets {
		row := got.Rows[i]
		if want := b.start.In(loc).Format("2006-01-02 15:04:05"); row[0] != want {
			t.Errorf("row %d at %s, want %s", i, row[0], want)
		}
		for j, want := range []struct {
			v   float64
			tol float64
		}{{b.rtt, 0.0006}, {b.loss, 0.06}, {b.jitter, 0.0006}} {
			v, err := strconv.ParseFloat(row[j+1], 64)
			if err != nil || math.Abs(v-want.v) > want.tol {
				t.Errorf("row %d (%s) column %d: %q, want %.4f (InfluxDB's mean of %.0f results)", i, row[0], j+1, row[j+1], want.v, b.n)
			}
		}
		if b.loss > 0 {
			lossBars++
		}
	}
	// The known points are their own buckets, with their exact values.
	for _, k := range known {
		b := byStart[bucketOf(k.at)]
		if b == nil || b.n != 1 || b.rtt != k.rtt {
			t.Errorf("known point at %s: bucket %+v", k.at, b)
		}
	}
	if got.Jitter == "" || len(strings.Fields(got.Jitter)) != len(buckets) {
		t.Errorf("jitter line %q, want %d points", got.Jitter, len(buckets))
	}
	if len(got.Loss) != lossBars || lossBars == 0 || !strings.Contains(strings.Join(got.Loss, ";"), "loss 25.0 %") {
		t.Errorf("loss bars %q, want %d with the known 25 %%", got.Loss, lossBars)
	}
	t.Logf("L-PING chart: %d buckets checked against InfluxDB (%d with loss)", len(buckets), lossBars)
}
