package linehealth

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/probes/result"
)

// feedFails sends one ping round per second s in [from, to) for L1 and L2,
// failing where fails says, and ticks the clock.
func (f *fixture) feedFails(t *testing.T, m *Monitor, from, to int, fails func(line string, s int) bool) {
	t.Helper()
	for s := from; s < to; s++ {
		at := f.t0.Add(time.Duration(s) * time.Second)
		rs := []result.Result{ping("L1", at, !fails("L1", s)), ping("L2", at, !fails("L2", s))}
		f.now = at.Add(500 * time.Millisecond)
		if err := m.Handle(context.Background(), "agent-1", rs); err != nil {
			t.Fatal(err)
		}
		if err := m.tick(context.Background(), f.now); err != nil {
			t.Fatal(err)
		}
	}
}

// Issue 11: two ports of one card failing 20 s apart are two incidents,
// each about its line, not one rooted at the card.
func TestIndependentPortsAreTwoIncidents(t *testing.T) {
	f := newFixture(t)
	m := f.monitor(t)
	f.feedFails(t, m, 0, 60, func(line string, s int) bool {
		if line == "L1" {
			return s >= 10 && s < 40
		}
		return s >= 30 && s < 50
	})
	incs, _, err := f.reads(t).Incidents(context.Background(), AllCustomers, "", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(incs) != 2 || incs[0].Root != "p2" || incs[1].Root != "p1" || incs[0].Lines != 1 || incs[1].Lines != 1 {
		t.Fatalf("incidents %+v, want one per port", incs)
	}
}

// A common cause completed after a restart: L1's own incident, opened
// before the restart, is promoted when L2 goes down within the spread
// after it, exactly as without the restart; the API's timeline says why.
func TestGroupingAcrossRestart(t *testing.T) {
	fails := func(line string, s int) bool {
		if line == "L1" {
			return s >= 10 && s < 20
		}
		return s >= 11 && s < 20
	}
	run := func(restart bool) []byte {
		f := newFixture(t)
		m := f.monitor(t)
		f.feedFails(t, m, 0, 12, fails) // L1 down (#1); L2's first failed round
		if restart {
			var err error
			if m, err = New(context.Background(), f.opts, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		f.feedFails(t, m, 12, 30, fails)
		// The first ID is 1 on SQLite, the start of the controller's
		// block on PostgreSQL (incidentIDBlock).
		var first, n int64
		if err := f.db.QueryRow(`SELECT min(id), count(*) FROM incidents`).Scan(&first, &n); err != nil || n != 1 {
			t.Fatalf("restart %v: %d incidents (%v), want one", restart, n, err)
		}
		d, err := f.reads(t).Incident(context.Background(), AllCustomers, first)
		if err != nil {
			t.Fatal(err)
		}
		if d.Root != "card" || d.Grouping == nil || d.Grouping.Lines != 2 || d.Grouping.Watched != 2 || d.State != "closed" {
			t.Fatalf("restart %v: incident %+v", restart, d)
		}
		var notes []string
		for _, e := range d.Timeline {
			notes = append(notes, e.What+": "+e.Note)
		}
		if want := "grouped: 2 of 2 watched lines on card card down within 1s (common cause: at most 2s apart"; !strings.Contains(strings.Join(notes, "\n"), want) {
			t.Errorf("restart %v: timeline lacks %q: %q", restart, want, notes)
		}
		b, _ := json.Marshal(d)
		return b
	}
	if a, b := run(false), run(true); string(a) != string(b) {
		t.Fatalf("the restart changed the incident:\n%s\n%s", a, b)
	}
}

// A line's probe interval is learnt from its rounds' event times; the
// fastest of its streams counts, confirmation rounds do not.
func TestCadence(t *testing.T) {
	c := cadence{}
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	ev := func(src string, s float64, confirm bool) {
		e := linestate.Evidence{Line: "L1", Source: src, Probe: "ping", Time: t0.Add(time.Duration(s * float64(time.Second))),
			Kind: linestate.ProbeFail, Confirm: confirm}
		c.note(&e)
	}
	if c.interval("L1") != 0 {
		t.Fatal("an interval before any round")
	}
	for i := range 5 {
		ev("cpe", float64(i), false)
		ev("cpe", float64(i)+0.2, true) // confirmation rounds between
		ev("cpe", float64(i)+0.4, true)
		ev("pop", float64(i*10), false)
	}
	if got := c.interval("L1"); got != time.Second {
		t.Fatalf("interval %s, want the CPE's 1s", got)
	}
	ev("cpe", 3, false) // late and out of order: no gap
	if got := c.interval("L1"); got != time.Second {
		t.Fatalf("interval %s after a late round", got)
	}
	ev("cpe", 9, false) // one round 5 s late (a busy agent), then on time again
	ev("cpe", 10, false)
	if got := c.interval("L1"); got != time.Second {
		t.Fatalf("interval %s after one late round", got)
	}
}
