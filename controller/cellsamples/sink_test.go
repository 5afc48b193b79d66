package cellsamples

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vantage-net/vantage/controller/store/sqldb"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/probes/result"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// What each result contributes: radio metrics by their configured names,
// throughput with or without a network, comparison tests only with one,
// timings only of successful rounds.
func TestExtract(t *testing.T) {
	radio := map[string]string{"rsrp": "rsrp_dbm"}
	net := func(kv ...string) map[string]string {
		m := map[string]string{"network": "ours"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for name, c := range map[string]struct {
		r    result.Result
		want []Value
	}{
		"radio":            {result.Result{Measurement: "snmp", Tags: map[string]string{"metric": "rsrp"}, Fields: map[string]float64{"value": -101}}, []Value{{"rsrp_dbm", -101}}},
		"other scalar":     {result.Result{Measurement: "snmp", Tags: map[string]string{"metric": "cpu"}, Fields: map[string]float64{"value": 3}}, nil},
		"failed scalar":    {result.Result{Measurement: "snmp", Tags: map[string]string{"metric": "rsrp"}, Error: "protocol"}, nil},
		"unbound download": {result.Result{Measurement: "http", Fields: map[string]float64{"ok": 1, "throughput_kbps": 900, "ttfb_ms": 5}}, []Value{{"throughput_kbps", 900}}},
		"bound download": {result.Result{Measurement: "http", Tags: net(), Fields: map[string]float64{"ok": 1, "throughput_kbps": 900, "ttfb_ms": 5, "total_ms": 9}},
			[]Value{{"throughput_kbps", 900}, {"http_ok", 1}, {"http_ttfb_ms", 5}, {"http_total_ms", 9}}},
		"failed fetch":   {result.Result{Measurement: "http", Tags: net(), Error: "timeout", Fields: map[string]float64{"ok": 0, "ttfb_ms": 0}}, []Value{{"http_ok", 0}}},
		"unbound ping":   {result.Result{Measurement: "ping", Fields: map[string]float64{"sent": 5, "recv": 5, "rtt_avg_ms": 3, "loss_pct": 0}}, nil},
		"bound ping":     {result.Result{Measurement: "ping", Tags: net(), Fields: map[string]float64{"sent": 5, "recv": 4, "rtt_avg_ms": 3, "loss_pct": 20}}, []Value{{"ping_loss_pct", 20}, {"ping_rtt_ms", 3}}},
		"all lost":       {result.Result{Measurement: "ping", Tags: net(), Fields: map[string]float64{"sent": 5, "recv": 0, "loss_pct": 100}}, []Value{{"ping_loss_pct", 100}}},
		"dns":            {result.Result{Measurement: "dial", Tags: net("kind", "dns"), Fields: map[string]float64{"ok": 1, "dns_ms": 12}}, []Value{{"dns_ok", 1}, {"dns_ms", 12}}},
		"tcp dial":       {result.Result{Measurement: "dial", Tags: net("kind", "tcp"), Fields: map[string]float64{"ok": 1, "connect_ms": 2}}, nil},
		"dns no network": {result.Result{Measurement: "dial", Tags: map[string]string{"kind": "dns"}, Fields: map[string]float64{"ok": 1, "dns_ms": 12}}, nil},
	} {
		got := Extract(c.r, radio)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", name, got, c.want)
			}
		}
	}
}

// A redelivered message overwrites its rows; results of unknown sites or
// sites without a cell are counted by reason and stored nowhere.
func TestSinkIdempotentAndSkips(t *testing.T) {
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO sites (id, kind, name, grid_cell) VALUES ('hs-1', 'hotspot', 'a', 'wx4g0bm'), ('hs-2', 'hotspot', 'b', '')`); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	s, err := New(Options{DB: db, Now: func() time.Time { return t0 }}, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	dl := func(site string) result.Result {
		return result.Result{Time: t0, Measurement: "http", Tags: map[string]string{"site": site, "target": "http://198.18.9.9/"},
			Fields: map[string]float64{"ok": 1, "throughput_kbps": 5000}}
	}
	batch := []result.Result{dl("hs-1"), dl("hs-2"), dl("hs-9"), dl("")}
	for range 2 {
		if err := s.Handle(context.Background(), "a1", batch); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Query(context.Background(), db, "", t0, t0.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Cell != "wx4g0bm" || got[0].Value != 5000 {
		t.Fatalf("stored %+v, want one throughput sample of hs-1", got)
	}
	if n := value(t, s.skipped.WithLabelValues(ReasonNoSite)); n != 4 {
		t.Errorf("no_site skips %g, want 4 (hs-9 and no site tag, twice)", n)
	}
	if n := value(t, s.skipped.WithLabelValues(ReasonNoCell)); n != 2 {
		t.Errorf("no_cell skips %g, want 2", n)
	}
}

func value(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// Coverage judges hotspots: a customer premises' unbound download is no
// coverage sample (counted not_hotspot), while a comparison there (a bound
// result) is kept.
func TestSinkCoverageOnlyFromHotspots(t *testing.T) {
	db, err := sqldb.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO sites (id, kind, name, grid_cell) VALUES ('cpe-1', 'cpe', 'office', 'wx4g0bm')`); err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{DB: db, Now: func() time.Time { return t0 }}, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	dl := func(network string) result.Result {
		r := result.Result{Time: t0, Measurement: "http", Tags: map[string]string{"site": "cpe-1", "target": "http://198.18.9.9/"},
			Fields: map[string]float64{"ok": 1, "throughput_kbps": 5000, "ttfb_ms": 3, "total_ms": 9}}
		if network != "" {
			r.Tags["network"] = network
		}
		return r
	}
	if err := s.Handle(context.Background(), "a1", []result.Result{dl(""), dl("ours")}); err != nil {
		t.Fatal(err)
	}
	got, err := Query(context.Background(), db, "", t0, t0.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range got {
		if g.Network != "ours" {
			t.Errorf("unbound sample of a CPE site stored: %+v", g)
		}
	}
	if len(got) != 4 || value(t, s.skipped.WithLabelValues(ReasonNotHotspot)) != 1 {
		t.Fatalf("stored %+v, not_hotspot %g; want the bound result's 4 values and 1 skip", got, value(t, s.skipped.WithLabelValues(ReasonNotHotspot)))
	}
}
