package registry

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestOfflineAfterMissedHeartbeats(t *testing.T) {
	db := openDB(t)
	importSites(t, db, "S1=cpe-1") // the site tag is the inventory's
	f := newFixture(t, db)
	f.beat("cpe-1", 10*time.Second, 0)
	f.evaluate(t)
	if a := f.state(t, "cpe-1"); a.State != Online || a.Version != "1.2.3" || a.ConfigRev != 4 || a.SpoolDepth != 7 || a.HeartbeatIntervalS != 10 {
		t.Fatalf("after first heartbeat: %+v", a)
	}
	lines := f.pts.take()
	if !hasLine(lines, "agent,agent=cpe-1,site=S1 ", "up=1i", "spool_depth=7i", "config_rev=4i", fmt.Sprint(t0.UnixNano())) {
		t.Fatalf("up point missing: %q", lines)
	}

	// Two missed heartbeats are not an outage of the agent; the third is.
	f.clk.Advance(29 * time.Second)
	f.evaluate(t)
	if a := f.state(t, "cpe-1"); a.State != Online {
		t.Fatalf("offline after 29s of a 3×10s allowance")
	}
	f.clk.Advance(2 * time.Second)
	f.evaluate(t)
	a := f.state(t, "cpe-1")
	if a.State != Offline || !a.StateSince.Equal(t0.Add(30*time.Second)) || !a.LastSeen.Equal(t0) {
		t.Fatalf("after 31s: %+v", a)
	}
	if got := gauge(t, f.reg, "offline"); got != 1 {
		t.Errorf("offline gauge %v", got)
	}
	// The up=0 point sits at the deadline, not at the tick that saw it.
	lines = f.pts.take()
	if len(lines) != 1 || lines[0] != fmt.Sprintf("agent,agent=cpe-1,site=S1 up=0i %d", t0.Add(30*time.Second).UnixNano()) {
		t.Fatalf("down point: %q", lines)
	}
	// Only one.
	f.clk.Advance(time.Minute)
	f.evaluate(t)
	if l := f.pts.take(); len(l) != 0 {
		t.Fatalf("down point repeated: %q", l)
	}

	f.beat("cpe-1", 10*time.Second, 0)
	f.evaluate(t)
	if a := f.state(t, "cpe-1"); a.State != Online || gauge(t, f.reg, "online") != 1 {
		t.Fatalf("not back online: %+v", a)
	}
}

func TestDefaultIntervalForOlderAgents(t *testing.T) {
	f := newFixture(t, nil)
	f.beat("old", 0, 0) // no interval_s: default 10s, so offline after 30s
	f.clk.Advance(30 * time.Second)
	f.evaluate(t)
	if a := f.state(t, "old"); a.State != Offline || a.HeartbeatIntervalS != 10 {
		t.Fatalf("%+v", a)
	}
	f.beat("slow", time.Minute, 0) // its own interval counts
	f.clk.Advance(2 * time.Minute)
	f.evaluate(t)
	if a := f.state(t, "slow"); a.State != Online {
		t.Fatalf("60s agent offline after 2 min: %+v", a)
	}
}

func TestClockOffsetFlag(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		skew   time.Duration
		flag   bool
		offset float64
	}{
		{0, false, 0},
		{1500 * time.Millisecond, false, 1.5},
		{3 * time.Second, false, 3},            // once: maybe a late heartbeat
		{3200 * time.Millisecond, true, 3.2},   // twice, agreeing: the clock
		{-2500 * time.Millisecond, true, -2.5}, // still beyond: stays flagged
		{-time.Second, false, -1},              // back within
		{-215 * time.Second, false, -215},      // a heartbeat stuck in a dead connection…
		{0, false, 0},                          // …followed by a fresh one: never flagged
		{-10 * time.Second, false, -10},        // two beyond that disagree
		{10 * time.Second, false, 10},          // are not a clock either
	}
	for _, c := range cases {
		f.beat("cpe-1", 10*time.Second, c.skew)
		a := f.state(t, "cpe-1")
		if a.ClockSkewed != c.flag || a.ClockOffsetS != c.offset {
			t.Errorf("skew %v: offset %v skewed %v; want %v %v", c.skew, a.ClockOffsetS, a.ClockSkewed, c.offset, c.flag)
		}
	}
	f.beat("cpe-1", 10*time.Second, -5*time.Second)
	f.beat("cpe-1", 10*time.Second, -5*time.Second)
	f.evaluate(t)
	if !hasLine(f.pts.take(), "clock_offset_s=-5", "clock_skewed=1i", `version="1.2.3"`) {
		t.Error("skew not in the agent point")
	}
}

func TestRestartRestoresAgentsOffline(t *testing.T) {
	db := openDB(t)
	importSites(t, db, "S1=cpe-1", "S2=cpe-2")
	f := newFixture(t, db)
	f.beat("cpe-1", 5*time.Second, 3*time.Second)
	f.beat("cpe-2", 10*time.Second, 0)
	f.evaluate(t)
	f.clk.Advance(31 * time.Second)
	f.evaluate(t) // both offline now… but cpe-1 heard again first:
	f.beat("cpe-1", 5*time.Second, 3*time.Second)
	f.evaluate(t)

	// A new controller on the same database.
	g := newFixtureAt(t, db, t0.Add(time.Minute+31*time.Second))
	for id, site := range map[string]string{"cpe-1": "S1", "cpe-2": "S2"} {
		a, ok := g.r.Get(id)
		if !ok || a.State != Offline || a.Version != "1.2.3" || a.ConfigRev != 4 || a.Site != site || !a.FirstSeen.Equal(t0) {
			t.Fatalf("%s restored as %+v (%v)", id, a, ok)
		}
	}
	one, _ := g.r.Get("cpe-1")
	if !one.ClockSkewed || one.ClockOffsetS != 3 || one.HeartbeatIntervalS != 5 || !one.LastSeen.Equal(t0.Add(31*time.Second)) {
		t.Fatalf("cpe-1 details lost: %+v", one)
	}
	if gauge(t, g.reg, "offline") != 2 || gauge(t, g.reg, "online") != 0 {
		t.Fatal("gauges after restore")
	}
	// cpe-1 was online when the old controller stopped: if it stays silent
	// for 3 intervals after the restart, dashboards get its up=0.
	g.evaluate(t)
	if l := g.pts.take(); len(l) != 0 {
		t.Fatalf("points before the deadline: %q", l)
	}
	g.clk.Advance(15 * time.Second) // 3 × cpe-1's 5s interval
	g.evaluate(t)
	if l := g.pts.take(); len(l) != 1 || !strings.HasPrefix(l[0], "agent,agent=cpe-1,site=S1 up=0i") {
		t.Fatalf("restored online agent's down point: %q", l)
	}
	g.beat("cpe-2", 10*time.Second, 0)
	if a := g.state(t, "cpe-2"); a.State != Online || !a.FirstSeen.Equal(t0) {
		t.Fatalf("heard again: %+v", a)
	}
}

// The point queue (the database) refusing points: the registry keeps the
// newest within its bound and queues them on the next tick.
func TestQueueFailureKeepsPointsWithinBound(t *testing.T) {
	f := newFixture(t, nil)
	f.r.opts.MaxPendingPoints = 3
	f.pts.fail = true
	for i := range 5 {
		f.beat(fmt.Sprintf("cpe-%d", i), 10*time.Second, 0)
	}
	if err := f.r.Evaluate(context.Background()); err == nil {
		t.Fatal("no error while the queue fails")
	}
	f.pts.fail = false
	f.evaluate(t)
	lines := f.pts.take()
	if len(lines) != 3 || !hasLine(lines, "agent=cpe-4") || hasLine(lines, "agent=cpe-1") {
		t.Fatalf("want the 3 newest points: %q", lines)
	}
	if n := counter(f.r.m.writeErrors, "queue"); n != 1 {
		t.Errorf("queue write errors %v", n)
	}
}

func TestHandleMessageChecksSubjectAndPayload(t *testing.T) {
	f := newFixture(t, nil)
	good := `{"agent":"cpe-1","version":"1","t":"2026-11-23T08:00:00Z","interval_s":10}`
	f.r.HandleMessage("vantage.heartbeat.cpe-1", []byte(good))
	f.r.HandleMessage("vantage.heartbeat.cpe-2", []byte(good))                // speaks for another
	f.r.HandleMessage("vantage.heartbeat.cpe-3", []byte("{"))                 // not JSON
	f.r.HandleMessage("vantage.heartbeat.a.b", []byte(good))                  // two tokens
	f.r.HandleMessage("vantage.heartbeat.cpe-4", []byte(`{"version":"0.9"}`)) // older payload without agent
	if got := len(f.r.List()); got != 2 {
		t.Fatalf("%d agents, want cpe-1 and cpe-4: %+v", got, f.r.List())
	}
	if n := counter(f.r.m.heartbeats, "invalid"); n != 3 {
		t.Errorf("invalid heartbeats %v, want 3", n)
	}
	// A heartbeat without a send time leaves the offset unknown (0), not huge.
	if a := f.state(t, "cpe-4"); a.ClockSkewed {
		t.Errorf("zero time flagged as skewed: %+v", a)
	}
}
