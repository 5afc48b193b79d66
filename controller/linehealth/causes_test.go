package linehealth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/cause"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/controller/store/storetest"
	"github.com/vantage-net/vantage/probes/result"
)

// bothEndsInventory: L1 is watched from its A end by cpe-1 and from the
// network side by pop-1 (a watcher); L4 only by pop-1.
const bothEndsInventory = `customers:
  - {id: C1, name: One, tier: diamond}
elements:
  - {id: pop, kind: pop, agent: pop-1}
  - {id: p1, parent: pop, kind: port}
  - {id: p4, parent: pop, kind: port}
sites:
  - {id: S1, customer: C1, kind: cpe, name: HQ, agent: cpe-1}
  - {id: S4, customer: C1, kind: cpe, name: Shop}
lines:
  - {circuit_id: L1, customer: C1, a_end_site: S1, upstream_element: p1, probe_address: 198.18.1.1, watchers: [pop], watch_address: 198.18.1.2}
  - {circuit_id: L4, customer: C1, a_end_site: S4, upstream_element: p4, watchers: [pop], watch_address: 198.18.4.2}
`

func newCauseFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "inv.yaml")
	if err := os.WriteFile(file, []byte(bothEndsInventory), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, db, err := inventory.Open(context.Background(), storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	set, err := inventory.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inv.Import(context.Background(), set, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, inv: inv, pts: &points{}, t0: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	f.now = f.t0
	f.shp, err = shipper.New(context.Background(), shipper.Options{DB: db, Points: f.pts}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.opts = Options{DB: db, Inventory: inv, Shipper: f.shp, Now: func() time.Time { return f.now },
		Detector: linestate.Options{Horizon: 20 * time.Second, Default: linestate.DefaultParams()}}
	return f
}

// send hands one agent's rounds on a line, seconds [from, to), to the
// Monitor, ok or failed, without moving the clock.
func (f *fixture) send(t *testing.T, m *Monitor, agent, line string, from, to int, ok bool) {
	t.Helper()
	var rs []result.Result
	for s := from; s < to; s++ {
		rs = append(rs, ping(line, f.t0.Add(time.Duration(s)*time.Second), ok))
	}
	if err := m.Handle(context.Background(), agent, rs); err != nil {
		t.Fatal(err)
	}
}

// at moves the clock to second s and ticks.
func (f *fixture) at(t *testing.T, m *Monitor, s int) {
	t.Helper()
	f.now = f.t0.Add(time.Duration(s) * time.Second)
	if err := m.tick(context.Background(), f.now); err != nil {
		t.Fatal(err)
	}
}

// causes returns the stored outage/flap causes of line and the cause of
// its newest incident, as the API shows them.
func (f *fixture) causes(t *testing.T, line string) (events []string, inc string) {
	t.Helper()
	d, err := f.reads(t).Line(context.Background(), AllCustomers, line)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range d.Events {
		events = append(events, e.Kind+":"+e.Cause)
	}
	if len(d.Incidents) > 0 {
		in, err := f.reads(t).Incident(context.Background(), AllCustomers, d.Incidents[0])
		if err != nil {
			t.Fatal(err)
		}
		inc = in.Cause
	}
	return events, inc
}

// shipped returns the line_event points queued for InfluxDB.
func (f *fixture) queuedEvents(t *testing.T) string {
	t.Helper()
	if _, err := f.shp.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.pts.mu.Lock()
	defer f.pts.mu.Unlock()
	var out []string
	for _, l := range f.pts.lines {
		if strings.HasPrefix(l, "line_event,") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestCauseLineCut: the PoP sees L1 fail live while the CPE agent is silent
// (its only uplink is the line); its spooled failures arrive after the
// repair: the outage's cause is line, in the event (API and the
// line_event point's cause tag) and in the incident.
func TestCauseLineCut(t *testing.T) {
	f := newCauseFixture(t)
	m := f.monitor(t)
	f.send(t, m, "cpe-1", "L1", 0, 20, true)
	f.send(t, m, "pop-1", "L1", 0, 20, true)
	f.at(t, m, 20)
	f.send(t, m, "pop-1", "L1", 20, 90, false) // cut: 70 s, an outage
	f.at(t, m, 90)
	if _, inc := f.causes(t, "L1"); inc != string(cause.Unknown) {
		t.Errorf("while the CPE is silent the incident's cause is %q, want unknown", inc)
	}
	f.send(t, m, "pop-1", "L1", 90, 130, true)
	f.send(t, m, "cpe-1", "L1", 20, 90, false) // the spool, after the repair
	f.send(t, m, "cpe-1", "L1", 90, 130, true)
	f.at(t, m, 130)
	f.at(t, m, 160) // past the horizon: the event is final
	events, inc := f.causes(t, "L1")
	if strings.Join(events, ",") != "outage:line" || inc != "line" {
		t.Errorf("events %v incident %q, want outage:line and line", events, inc)
	}
	if q := f.queuedEvents(t); !strings.Contains(q, "cause=line") {
		t.Errorf("line_event points lack cause=line:\n%s", q)
	}
}

// TestCausePoweredOffCPE: the CPE agent stops (no results, none spooled)
// and the PoP gets no reply; nothing else on p1 fails. When the CPE is
// back the cause is customer_premises, never line.
func TestCausePoweredOffCPE(t *testing.T) {
	f := newCauseFixture(t)
	m := f.monitor(t)
	f.send(t, m, "cpe-1", "L1", 0, 20, true)
	f.send(t, m, "pop-1", "L1", 0, 20, true)
	f.send(t, m, "pop-1", "L4", 0, 130, true)
	f.at(t, m, 20)
	f.send(t, m, "pop-1", "L1", 20, 90, false)
	f.at(t, m, 90)
	f.send(t, m, "pop-1", "L1", 90, 130, true)
	f.send(t, m, "cpe-1", "L1", 90, 130, true) // powered on again: nothing from the gap
	f.at(t, m, 130)
	if _, inc := f.causes(t, "L1"); inc != string(cause.CustomerPremises) {
		t.Errorf("incident cause %q, want customer_premises", inc)
	}
	f.at(t, m, 160)
	events, inc := f.causes(t, "L1")
	if strings.Join(events, ",") != "outage:customer_premises" || inc != "customer_premises" {
		t.Errorf("events %v incident %q, want customer_premises", events, inc)
	}
	if q := f.queuedEvents(t); !strings.Contains(q, "cause=customer_premises") || strings.Contains(q, "cause=line") {
		t.Errorf("line_event points:\n%s", q)
	}
}

// TestCauseWatcherUplink: the PoP loses L1 and L4 at once while the CPE
// agent still reaches L1's far end: L4 (watched by the PoP alone) goes
// down, and its cause is the watcher's uplink; L1 stays up.
func TestCauseWatcherUplink(t *testing.T) {
	f := newCauseFixture(t)
	m := f.monitor(t)
	f.send(t, m, "cpe-1", "L1", 0, 130, true)
	for _, l := range []string{"L1", "L4"} {
		f.send(t, m, "pop-1", l, 0, 20, true)
	}
	f.at(t, m, 20)
	for _, l := range []string{"L1", "L4"} {
		f.send(t, m, "pop-1", l, 20, 90, false)
	}
	f.at(t, m, 90)
	if _, inc := f.causes(t, "L4"); inc != string(cause.WatcherUplink) {
		t.Errorf("L4's open incident: cause %q, want watcher_uplink", inc)
	}
	for _, l := range []string{"L1", "L4"} {
		f.send(t, m, "pop-1", l, 90, 130, true)
	}
	f.at(t, m, 130)
	f.at(t, m, 160)
	events, inc := f.causes(t, "L4")
	if strings.Join(events, ",") != "outage:watcher_uplink" || inc != "watcher_uplink" {
		t.Errorf("L4: events %v incident %q", events, inc)
	}
	if events, _ := f.causes(t, "L1"); len(events) != 0 {
		t.Errorf("L1 was never down, events %v", events)
	}
}

// TestCauseFlappingIncident: three short cuts seen by both ends put L1
// into flapping; the flapping incident carries the cause (line), like an
// outage incident, not nothing.
func TestCauseFlappingIncident(t *testing.T) {
	f := newCauseFixture(t)
	m := f.monitor(t)
	s := 0
	for _, ok := range []bool{true, false, true, false, true, false, true} {
		f.send(t, m, "cpe-1", "L1", s, s+6, ok)
		f.send(t, m, "pop-1", "L1", s, s+6, ok)
		s += 6
		f.at(t, m, s)
	}
	f.at(t, m, s+30) // past the horizon
	d, err := f.reads(t).Line(context.Background(), AllCustomers, "L1")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, id := range d.Incidents {
		in, err := f.reads(t).Incident(context.Background(), AllCustomers, id)
		if err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, string(in.Kind)+":"+in.Cause)
		if in.Kind == "flapping" {
			if in.Cause != string(cause.Line) {
				t.Fatalf("flapping incident %d cause %q (%s), want line", id, in.Cause, in.CauseNote)
			}
			return
		}
	}
	t.Fatalf("no flapping incident: %v", kinds)
}

// TestCauseWatcherUplinkConfirming is TestCauseLab's third step as the
// agents send it: the PoP's uplink is down for about 1.5 s; the PoP agent
// re-probes L1 and L4 every 200 ms (confirmation rounds), three failed
// rounds of each within 0.4 s, L1 answering again 200 ms before L4; the
// CPE agent answers on L1 every second throughout. L1 must stay up (no
// event, no incident), and L4's flap must carry watcher_uplink live and
// final. Before the per-source rule L1 went down on the PoP's three
// failures between two of the CPE's answers; before firstFailed, L4's
// final flap read unknown (L1's answer inside the short window).
func TestCauseWatcherUplinkConfirming(t *testing.T) {
	f := newCauseFixture(t)
	m := f.monitor(t)
	sec := func(s float64) time.Time { return f.t0.Add(time.Duration(s * float64(time.Second))) }
	// The PoP's slots are on whole seconds, its confirmation rounds
	// between; the CPE's slots are at half seconds.
	round := func(line string, s float64, ok bool) result.Result {
		return ping(line, sec(s), ok)
	}
	confirm := func(line string, s float64, ok bool) result.Result {
		r := ping(line, sec(s), ok)
		r.Fields["confirm"] = 1
		return r
	}
	handle := func(agent string, arrive float64, rs ...result.Result) {
		t.Helper()
		f.now = sec(arrive)
		if err := m.Handle(context.Background(), agent, rs); err != nil {
			t.Fatal(err)
		}
		if err := m.tick(context.Background(), f.now); err != nil {
			t.Fatal(err)
		}
	}
	for s := 0.0; s < 20; s++ {
		handle("cpe-1", s+0.6, round("L1", s+0.5, true))
		handle("pop-1", s+0.25, round("L1", s, true), round("L4", s, true))
	}
	// The uplink is down in [20, 21.3): slots and confirmation rounds fail.
	handle("pop-1", 20.2, round("L1", 20, false), round("L4", 20, false))
	for i, s := range []float64{20.2, 20.4, 20.6, 20.8, 21.0} {
		handle("pop-1", s+0.2, confirm("L1", s, false), confirm("L4", s, false))
		if i == 1 {
			handle("cpe-1", 20.6, round("L1", 20.5, true))
		}
	}
	handle("pop-1", 21.4, confirm("L1", 21.2, true), confirm("L4", 21.2, false))
	handle("pop-1", 21.5, confirm("L4", 21.4, true))
	handle("cpe-1", 21.6, round("L1", 21.5, true))
	for s := 22.0; s < 60; s++ {
		handle("pop-1", s+0.25, round("L1", s, true), round("L4", s, true))
		handle("cpe-1", s+0.6, round("L1", s+0.5, true))
	}
	events, inc := f.causes(t, "L4")
	if strings.Join(events, ",") != "flap:watcher_uplink" || inc != "watcher_uplink" {
		t.Errorf("L4 before the horizon: events %v incident %q, want one flap and the incident, watcher_uplink", events, inc)
	}
	if events, inc := f.causes(t, "L1"); len(events) != 0 || inc != "" {
		t.Errorf("L1 was never down: events %v incident %q", events, inc)
	}
	f.at(t, m, 90) // past the horizon (20 s)
	d, err := f.reads(t).Line(context.Background(), AllCustomers, "L4")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Events) != 1 || !d.Events[0].Final || d.Events[0].Cause != "watcher_uplink" {
		t.Errorf("L4's final event: %+v, want one final flap with cause watcher_uplink", d.Events)
	}
}
