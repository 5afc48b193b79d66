package report

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/report/reporttest"
)

// Every figure of the scenario's week against its known truth
// (reporttest.Seed says how each is made).
func TestCustomerFiguresMatchScenario(t *testing.T) {
	_, b := scenario(t)
	r, err := b.Customer(context.Background(), reporttest.Customer, reporttest.From, reporttest.To, "")
	if err != nil {
		t.Fatal(err)
	}
	const period = 7 * 24 * 3600.0
	if r.Language != "zh-CN" || r.Zone != "Asia/Shanghai" || r.Customer.Name != reporttest.CustomerName {
		t.Errorf("header: %+v %s %s", r.Customer, r.Language, r.Zone)
	}
	if len(r.Lines) != 2 {
		t.Fatalf("lines: %+v", r.Lines)
	}
	l1, l2 := r.Lines[0], r.Lines[1]
	// L1: 1,800 + 1,230 s of outages, 10 + 5 s of flaps (one provisional).
	near(t, "L1 down", l1.DownSeconds, 3045)
	near(t, "L1 availability", l1.AvailabilityPct, 100*(1-3045/period))
	near(t, "L1 shortfall", l1.ShortfallPct, 99.9-100*(1-3045/period))
	near(t, "L1 outage seconds", l1.OutageSeconds, 3030)
	near(t, "L1 longest", l1.LongestSeconds, 1800)
	near(t, "L1 MTTR", l1.MTTRSeconds, (5400+1230)/2.0)
	near(t, "L1 target", l1.TargetPct, 99.9)
	if l1.Met || l1.Outages != 2 || l1.Flaps != 2 || l1.Provisional != 1 || l1.FlappingPeriods != 1 || l1.Restored != 2 {
		t.Errorf("L1 counts: %+v", l1)
	}
	// L2: the open outage counts 600 s up to the period's end; the
	// gold tier's target applies.
	near(t, "L2 availability", l2.AvailabilityPct, 100*(1-600/period))
	near(t, "L2 target", l2.TargetPct, 99.9)
	near(t, "L2 degraded", l2.DegradedSeconds, 5400)
	near(t, "L2 loss", l2.MeanLossPct, 4)
	near(t, "L2 rtt", l2.MeanRTTMs, 80)
	near(t, "L2 jitter", l2.MeanJitterMs, 8)
	if !l2.Met || l2.ShortfallPct != 0 || l2.Outages != 1 || l2.Restored != 0 || l2.MTTRSeconds != 0 || l2.Degradations != 2 {
		t.Errorf("L2 counts: %+v", l2)
	}
	s := r.Summary
	near(t, "availability", s.AvailabilityPct, 100*(1-3645/(2*period)))
	near(t, "MTTR", s.MTTRSeconds, 3315)
	near(t, "outage seconds", s.OutageSeconds, 3630)
	if s.Lines != 2 || s.LinesMissed != 1 || s.Outages != 3 || s.Flaps != 2 || s.FlappingPeriods != 1 || s.Degradations != 2 ||
		s.Incidents != 4 || s.Complaints != 2 || s.Confirmed != 2 || s.Repeats != 1 {
		t.Errorf("summary: %+v", s)
	}
	var ids []int64
	for _, in := range r.Incidents {
		ids = append(ids, in.ID)
	}
	if !slices.Equal(ids, []int64{5, 1, 2, 6}) {
		t.Errorf("incidents %v, want 5 1 2 6 (3 merged, 4 another customer's, 7 before the period)", ids)
	}
	in1 := r.Incidents[1]
	if in1.Root != "port-7" || in1.Cause != "line" || in1.Seconds != 1230 || !slices.Equal(in1.Lines, []string{"L1"}) {
		t.Errorf("incident 1: %+v", in1)
	}
	var whats []string
	for _, e := range in1.Timeline {
		whats = append(whats, e.What)
	}
	if !slices.Equal(whats, []string{"opened", "grouped", "up", "closed"}) { // L9's steps are another customer's
		t.Errorf("incident 1 timeline %v", whats)
	}
	if !r.Incidents[3].End.IsZero() || r.Incidents[3].Seconds != 600 {
		t.Errorf("open incident 6: %+v", r.Incidents[3])
	}
	if len(r.Complaints) != 2 || r.Complaints[0].ID != "cp1" || r.Complaints[1].ID != "cp2" || !r.Complaints[1].Repeat {
		t.Errorf("complaints: %+v", r.Complaints)
	}
	// Per day (Shanghai): A's 1,800 s on the 16th, B on the 18th, the
	// flaps on the 19th, L2's open outage on the 22nd; degradations on
	// the 17th and 18th.
	if len(r.Days) != 7 || r.Days[0].Date != "2026-11-16" || r.Days[6].Date != "2026-11-22" {
		t.Fatalf("days %+v", r.Days)
	}
	down := []float64{1800, 0, 1230, 15, 0, 0, 600}
	degraded := []float64{0, 3600, 1800, 0, 0, 0, 0}
	for i, d := range r.Days {
		near(t, d.Date+" down", d.DownSeconds, down[i])
		near(t, d.Date+" degraded", d.DegradedSeconds, degraded[i])
	}
	n := r.Notifications
	if n == nil || n.Sent != 3 || n.ByChannel["email"] != 2 || n.ByChannel["sms"] != 1 || n.Impacts != 2 || n.ToldFirst != 1 {
		t.Fatalf("notifications: %+v", n)
	}
	near(t, "proactive ratio", n.ProactiveRatio, 0.5)
	byID := map[string]Indicator{}
	for _, in := range r.Tree {
		byID[in.ID] = in
		if in.Name == "" || in.Define == "" {
			t.Errorf("indicator %s without name or definition", in.ID)
		}
		for _, f := range in.From {
			if _, ok := defs[f]; !ok {
				t.Errorf("%s traced to unknown %s", in.ID, f)
			}
		}
	}
	near(t, "KEI availability", byID["kei.availability"].Value, s.AvailabilityPct)
	near(t, "KQI downtime", byID["kqi.downtime"].Value, 3645/60.0)
	near(t, "KQI MTTR", byID["kqi.mttr"].Value, 3315/60.0)
	near(t, "PI loss", byID["pi.loss"].Value, 4)
	near(t, "PI events", byID["pi.events"].Value, 7)
	for _, layer := range []string{"KEI", "KQI", "KPI", "PI"} {
		if !slices.ContainsFunc(r.Tree, func(in Indicator) bool { return in.Layer == layer }) {
			t.Errorf("no %s indicator", layer)
		}
	}
}

// Without a notifier the section is left out, not shown as zero; an
// unknown customer and an empty period are errors.
func TestCustomerWithoutNotifierAndBadInput(t *testing.T) {
	db, _ := scenario(t)
	b, err := New(Options{DB: db, Now: func() time.Time { return reporttest.Now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := b.Customer(ctx, reporttest.Customer, reporttest.From, reporttest.To, "en")
	if err != nil {
		t.Fatal(err)
	}
	if r.Notifications != nil || r.Language != "en" || r.Tree[0].Name != "Availability as felt" {
		t.Errorf("notifications %+v, language %s, %s", r.Notifications, r.Language, r.Tree[0].Name)
	}
	if _, err := b.Customer(ctx, "nobody", reporttest.From, reporttest.To, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown customer: %v", err)
	}
	if _, err := b.Customer(ctx, reporttest.Customer, reporttest.To, reporttest.From, ""); err == nil {
		t.Error("to before from: no error")
	}
}
