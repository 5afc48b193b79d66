package dashboards

import (
	"context"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/influx"
	"github.com/vantage-net/vantage/internal/testinflux"
	"github.com/vantage-net/vantage/probes/result"
)

// now is the scenario's "now": every dashboard range ends here.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// Grid cells (geohash-7) of the scenario: cellA holds sites S1 and S3,
// cellB site S2 and is weak.
const (
	cellA = "wx4g0ec"
	cellB = "wx4g0s8"
)

// truth is what SHOW TAG VALUES must list with every variable at All.
var truth = map[string][]string{
	"customer": {"C1", "C2"},
	"line":     {"L1", "L2"},
	"site":     {"S1", "S2"},
	"agent":    {"a1", "a2", "a3"},
	"network":  {"ours", "rival"},
	"cell":     {cellA, cellB},
	"cellsite": {"S1", "S3"}, // cell has no All: always cellA
}

// picked is the other run's selection: several values where a variable is
// multi (the (a|b) form), one where it is single.
var picked = selection{
	"customer": {"C1"},
	"line":     {"L1"},
	"site":     {"S1"},
	"agent":    {"a1", "a3"},
	"network":  {"ours", "rival"},
	"cell":     {cellA},
	"cellsite": {"S1", "S3"},
}

// pickedTruth is what SHOW TAG VALUES must list under picked, for the
// variables whose query depends on another.
var pickedTruth = map[string][]string{
	"line":     {"L1"},
	"agent":    {"a1", "a3"},
	"cellsite": {"S1", "S3"},
}

// seed writes the scenario through the controller's encoder (influx.Batch)
// and writer, as the ingest (agents' measurements) and the shipper (the
// controller's own) do: two customers' lines L1 (C1, site S1, agent a1,
// over our network and a rival's) and L2 (C2, S2, a2), a third agent a3
// that went offline, flaps, outages and a degradation with causes, state
// transitions, coverage of two cells, complaints and notifications.
func seed(t *testing.T, srv *testinflux.Server) {
	t.Helper()
	var pts []shipper.Point
	add := func(agent string, at time.Time, m string, tags map[string]string, fields map[string]float64, text map[string]string) {
		pts = append(pts, shipper.Point{Agent: agent, Result: result.Result{Time: at, Measurement: m, Tags: tags, Fields: fields, Text: text}})
	}
	start := now.Add(-5 * time.Hour)
	type probe struct{ agent, line, customer, site, network string }
	probes := []probe{{"a1", "L1", "C1", "S1", "ours"}, {"a1", "L1", "C1", "S1", "rival"}, {"a2", "L2", "C2", "S2", "ours"}}
	for i := 0; i < 150; i++ {
		at := start.Add(time.Duration(i) * 2 * time.Minute)
		for j, p := range probes {
			tags := func(extra ...string) map[string]string {
				m := map[string]string{"target": "198.18.0.1", "line": p.line, "customer": p.customer, "site": p.site, "network": p.network}
				for k := 0; k+1 < len(extra); k += 2 {
					m[extra[k]] = extra[k+1]
				}
				return m
			}
			rtt := 10 + float64(j)*5 + float64(i%7)
			loss := 0.0
			recv := 3.0
			if i%25 == 3 {
				loss, recv = 100, 0
			}
			f := map[string]float64{"sent": 3, "recv": recv, "loss_pct": loss}
			if recv > 0 {
				f["rtt_min_ms"], f["rtt_avg_ms"], f["rtt_max_ms"], f["jitter_ms"] = rtt-1, rtt, rtt+2, 0.5+float64(i%3)
			}
			add(p.agent, at, "ping", tags(), f, nil)
			if i%5 == 0 {
				ok := 1.0
				if i%25 == 5 {
					ok = 0
				}
				d := map[string]float64{"ok": ok, "dns_ms": 3}
				if ok == 1 {
					d["connect_ms"] = rtt + 1
				}
				add(p.agent, at, "dial", tags("kind", "tcp"), d, nil)
				tls := map[string]float64{"ok": 1, "connect_ms": rtt + 1, "tls_ms": 2 * rtt, "cert_days_left": 60 - float64(i)/50}
				add(p.agent, at, "dial", tags("kind", "tls", "target", "198.18.0.2"), tls, nil)
				h := map[string]float64{"ok": ok}
				if ok == 1 {
					h["status"], h["ttfb_ms"], h["total_ms"], h["bytes"], h["throughput_kbps"] = 200, 2*rtt, 5*rtt, 100000, 8000-float64(j)*1000
				}
				add(p.agent, at, "http", tags(), h, nil)
			}
		}
		if i%5 == 0 {
			add("a1", at, "snmp_if", map[string]string{"device": "pe1", "ifindex": "3", "ifname": "ge-0/0/3", "line": "L1"},
				map[string]float64{"oper_up": 1, "admin_up": 1, "in_bps": 1e6 + float64(i)*1e3, "out_bps": 2e5, "in_errors": 0, "out_errors": 0, "last_change_s": 3600}, nil)
		}
	}
	// Agents: heartbeat points every 5 min; a3 goes offline after 2 h.
	for i := 0; i < 60; i++ {
		at := start.Add(time.Duration(i) * 5 * time.Minute)
		for k, a := range []struct{ id, site string }{{"a1", "S1"}, {"a2", "S2"}, {"a3", "S1"}} {
			if a.id == "a3" && i > 24 {
				continue
			}
			f := map[string]float64{"up": 1, "spool_depth": float64((i * (k + 1)) % 40), "results_sent": float64(i * 300 * (k + 1)),
				"results_dropped": 0, "config_rev": 4, "clock_offset_s": 0.01, "clock_skewed": 0}
			if a.id == "a2" && i > 50 {
				f["results_sent"] = float64((i - 50) * 300) // a restart resets the counter
			}
			add(a.id, at, "agent", map[string]string{"site": a.site}, f, map[string]string{"version": "1.4.0"})
		}
	}
	add("a3", start.Add(125*time.Minute+30*time.Second), "agent", map[string]string{"site": "S1"}, map[string]float64{"up": 0}, nil)

	// Line state and events as controller/linehealth writes them.
	state := func(at time.Time, line, customer string, up, flapping float64) {
		add("", at, "line_state", map[string]string{"line": line, "customer": customer}, map[string]float64{"up": up, "flapping": flapping}, nil)
	}
	event := func(at time.Time, line, customer, kind, cause string, dur time.Duration, loss float64) {
		tags := map[string]string{"line": line, "customer": customer, "kind": kind}
		if cause != "" {
			tags["cause"] = cause
		}
		add("", at, "line_event", tags, map[string]float64{"duration_s": dur.Seconds(), "loss_pct": loss, "started_unix": float64(at.UnixMilli()) / 1e3}, nil)
	}
	state(start, "L1", "C1", 1, 0)
	state(start, "L2", "C2", 1, 0)
	for k := 0; k < 5; k++ { // five flaps of L1, then dampened (flapping)
		at := now.Add(-4*time.Hour + time.Duration(k)*3*time.Minute)
		state(at, "L1", "C1", 0, 0)
		state(at.Add(20*time.Second), "L1", "C1", 1, 0)
		event(at, "L1", "C1", "flap", "line", 20*time.Second, 100)
	}
	state(now.Add(-3*time.Hour-40*time.Minute), "L1", "C1", 0, 1) // flapping
	state(now.Add(-2*time.Hour), "L1", "C1", 1, 0)
	event(now.Add(-90*time.Minute), "L1", "C1", "outage", "watcher_uplink", 4*time.Minute, 100)
	event(now.Add(-70*time.Minute), "L1", "C1", "degraded", "", 10*time.Minute, 12.5)
	state(now.Add(-3*time.Hour), "L2", "C2", 0, 0)
	state(now.Add(-3*time.Hour+10*time.Minute), "L2", "C2", 1, 0)
	event(now.Add(-3*time.Hour), "L2", "C2", "outage", "customer_premises", 10*time.Minute, 100)
	event(now.Add(-50*time.Minute), "L2", "C2", "flap", "line", 30*time.Second, 100)
	state(now.Add(-45*time.Minute), "L2", "C2", 0, 1) // flapping to the end

	// Coverage: cell points (no site) and site points, every 15 min.
	for i := 0; i < 20; i++ {
		at := start.Add(time.Duration(i) * 15 * time.Minute)
		cov := func(site, grid string, score, weak float64) {
			tags := map[string]string{"grid": grid}
			if site != "" {
				tags["site"] = site
			}
			add("", at, "coverage", tags, map[string]float64{"score": score, "rsrp_dbm": -90 - (80-score)/2, "sinr_db": 12, "throughput_kbps": score * 100, "weak": weak}, nil)
		}
		cov("", cellA, 82, 0)
		cov("S1", cellA, 85, 0)
		cov("S3", cellA, 79, 0)
		cov("", cellB, 31, 1)
		cov("S2", cellB, 31, 1)
	}

	// Complaints (n 1 each; a re-linked one overwritten with n 0 on its
	// old series) and notification outcomes.
	complaint := func(at time.Time, customer, grid, category, verdict string, n float64) {
		add("", at, "complaint", map[string]string{"customer": customer, "grid": grid, "category": category, "verdict": verdict}, map[string]float64{"n": n}, nil)
	}
	complaint(now.Add(-85*time.Minute), "C1", cellA, "no_service", "confirmed", 1)
	complaint(now.Add(-80*time.Minute), "C1", cellA, "slow", "degraded", 1)
	complaint(now.Add(-150*time.Minute), "C2", cellB, "slow", "not_monitored", 0)
	complaint(now.Add(-150*time.Minute), "C2", cellB, "slow", "confirmed", 1)
	note := func(at time.Time, channel, kind, outcome string, latency float64) {
		add("", at, "notification", map[string]string{"channel": channel, "kind": kind, "outcome": outcome, "tier": "gold"}, map[string]float64{"latency_s": latency}, nil)
	}
	note(now.Add(-3*time.Hour+time.Minute), "smtp", "outage_start", "sent", 55)
	note(now.Add(-3*time.Hour+time.Minute), "wecom", "outage_start", "retry", 50)
	note(now.Add(-3*time.Hour+2*time.Minute), "wecom", "outage_start", "sent", 110)
	note(now.Add(-86*time.Minute), "smtp", "outage_start", "sent", 240)
	note(now.Add(-3*time.Hour-39*time.Minute), "sms", "flapping_start", "sent", 30)

	var b influx.Batch
	for i := range pts {
		if err := b.Add(pts[i].Agent, &pts[i].Result); err != nil {
			t.Fatalf("encode %s: %v", pts[i].Result.Measurement, err)
		}
	}
	w, err := influx.New(influx.Options{URL: srv.URL, Bucket: srv.Bucket, Token: srv.Token}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rejected, err := w.Write(ctx, &b)
	if err != nil || len(rejected) != 0 {
		t.Fatalf("write scenario: %v, rejected %v", err, rejected)
	}
}
