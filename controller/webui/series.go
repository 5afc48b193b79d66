package webui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// InfluxOptions say where the probe results are, for the line page's
// RTT / loss / jitter chart: InfluxDB's /query (InfluxQL; 1.8, or 2.x
// with its v1 compatibility), the bucket as database ("db/rp" or "db").
type InfluxOptions struct {
	URL, Bucket, Token string
	// Timeout bounds one query (default 5 s): a slow InfluxDB makes the
	// chart empty, not the page slow.
	Timeout time.Duration
}

// seriesPoint is one bucket of a line's results.
type seriesPoint struct {
	T                 time.Time
	RTT, Loss, Jitter *float64
}

// lineSeries is what the line page draws, and from which measurement.
type lineSeries struct {
	Measurement string
	Points      []seriesPoint
}

// seriesRanges are the chart's windows and their bucket widths.
var seriesRanges = map[string][2]time.Duration{
	"1h": {time.Hour, 30 * time.Second}, "24h": {24 * time.Hour, 5 * time.Minute}, "7d": {7 * 24 * time.Hour, time.Hour},
}

// influxString quotes s as an InfluxQL string literal.
func influxString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// querySeries reads the line's ping results (RTT, loss, jitter), else its
// http results (total time as RTT), over the window. Only a line the API
// already showed to this session is asked for (line.go).
func (u *UI) querySeries(ctx context.Context, line, rng string) (*lineSeries, error) {
	if u.influx.URL == "" {
		return nil, nil
	}
	win, ok := seriesRanges[rng]
	if !ok {
		win = seriesRanges["24h"]
	}
	where := fmt.Sprintf(`WHERE "line" = %s AND time > now() - %ds GROUP BY time(%ds) fill(none)`,
		influxString(line), int(win[0].Seconds()), int(win[1].Seconds()))
	for _, q := range []struct{ m, sel string }{
		{"ping", `SELECT mean("rtt_avg_ms"), mean("loss_pct"), mean("jitter_ms") FROM "ping" `},
		{"http", `SELECT mean("total_ms") FROM "http" `},
	} {
		pts, err := u.influxQuery(ctx, q.sel+where)
		if err != nil {
			return nil, err
		}
		if len(pts) > 0 {
			return &lineSeries{Measurement: q.m, Points: pts}, nil
		}
	}
	return &lineSeries{}, nil
}

func (u *UI) influxQuery(ctx context.Context, q string) ([]seriesPoint, error) {
	ctx, cancel := context.WithTimeout(ctx, u.influx.Timeout)
	defer cancel()
	db, rp, _ := strings.Cut(u.influx.Bucket, "/")
	v := url.Values{"db": {db}, "q": {q}, "epoch": {"ms"}}
	if rp != "" {
		v.Set("rp", rp)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(u.influx.URL, "/")+"/query?"+v.Encode(), nil)
	if err != nil {
		return nil, err
	}
	if u.influx.Token != "" {
		req.Header.Set("Authorization", "Token "+u.influx.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("influx query: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("influx query: %s", resp.Status)
	}
	var body struct {
		Results []struct {
			Error  string `json:"error"`
			Series []struct {
				Values [][]*float64 `json:"values"`
			} `json:"series"`
		} `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("influx query: %w", err)
	}
	var out []seriesPoint
	for _, r := range body.Results {
		if r.Error != "" {
			return nil, fmt.Errorf("influx query: %s", r.Error)
		}
		for _, s := range r.Series {
			for _, row := range s.Values {
				if len(row) < 2 || row[0] == nil {
					continue
				}
				p := seriesPoint{T: time.UnixMilli(int64(*row[0])).UTC(), RTT: row[1]}
				if len(row) > 3 {
					p.Loss, p.Jitter = row[2], row[3]
				}
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// seriesChart is the series drawn as SVG: RTT and jitter as lines on one
// scale (ms), loss as bars on 0–100 %.
type seriesChart struct {
	W, H               int
	Measurement, Range string
	RTT, Jitter        string // polyline points
	Loss               []band
	MaxMS              float64
	Ticks              []tick
	Points             int
	LastRTT, LastLoss  string
	// Dots mark each RTT point, so a single bucket still shows.
	Dots []tick
	// Rows are the same buckets as numbers, for a screen reader and for
	// anyone who wants the values rather than the shape.
	Rows []seriesRow
}

// seriesRow is one bucket in the chart's table: its start in the user's
// zone, RTT and jitter in ms, loss in % ("—" when the bucket has none).
type seriesRow struct {
	When, RTT, Loss, Jitter string
}

func fmtOr(p *float64, format string) string {
	if p == nil {
		return "—"
	}
	return fmt.Sprintf(format, *p)
}

func makeSeriesChart(s *lineSeries, rng string, now time.Time, loc *time.Location) *seriesChart {
	if s == nil {
		return nil
	}
	win, ok := seriesRanges[rng]
	if !ok {
		rng, win = "24h", seriesRanges["24h"]
	}
	c := &seriesChart{W: chartW, H: chartH + 40, Measurement: s.Measurement, Range: rng, Points: len(s.Points)}
	plotH := float64(c.H - 20)
	from := now.Add(-win[0])
	x := func(t time.Time) float64 { return float64(chartW) * t.Sub(from).Seconds() / win[0].Seconds() }
	for _, p := range s.Points {
		if p.RTT != nil {
			c.MaxMS = max(c.MaxMS, *p.RTT)
		}
		if p.Jitter != nil {
			c.MaxMS = max(c.MaxMS, *p.Jitter)
		}
	}
	if c.MaxMS == 0 {
		c.MaxMS = 1
	}
	var rtt, jit []string
	bw := max(2, float64(chartW)*win[1].Seconds()/win[0].Seconds())
	for _, p := range s.Points {
		c.Rows = append(c.Rows, seriesRow{When: p.T.In(loc).Format("2006-01-02 15:04:05"),
			RTT: fmtOr(p.RTT, "%.3f"), Loss: fmtOr(p.Loss, "%.1f"), Jitter: fmtOr(p.Jitter, "%.3f")})
		if p.RTT != nil {
			rtt = append(rtt, fmt.Sprintf("%.1f,%.1f", x(p.T), plotH-plotH**p.RTT/c.MaxMS))
			c.Dots = append(c.Dots, tick{X: x(p.T), Y: plotH - plotH**p.RTT/c.MaxMS, Label: fmt.Sprintf("%s %.3f ms", p.T.In(loc).Format("15:04:05"), *p.RTT)})
			c.LastRTT = fmt.Sprintf("%.3f ms", *p.RTT)
		}
		if p.Jitter != nil {
			jit = append(jit, fmt.Sprintf("%.1f,%.1f", x(p.T), plotH-plotH**p.Jitter/c.MaxMS))
		}
		if p.Loss != nil {
			c.LastLoss = fmt.Sprintf("%.1f %%", *p.Loss)
			if *p.Loss > 0 {
				h := plotH * min(100, *p.Loss) / 100
				c.Loss = append(c.Loss, band{X: x(p.T), Y: plotH - h, W: bw, H: h, Kind: "loss",
					Label: fmt.Sprintf("%s loss %.1f %%", p.T.In(loc).Format("15:04:05"), *p.Loss)})
			}
		}
	}
	c.RTT, c.Jitter = strings.Join(rtt, " "), strings.Join(jit, " ")
	for i := 0; i <= 4; i++ {
		t := from.Add(time.Duration(i) * win[0] / 4)
		c.Ticks = append(c.Ticks, tick{X: float64(chartW) * float64(i) / 4, Label: t.In(loc).Format("01-02 15:04")})
	}
	return c
}
