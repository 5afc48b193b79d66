package registry

import (
	"context"
	"encoding/json"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/vantage-net/vantage/probes/result"
)

// Issue 10, attack 3: an agent's heartbeat claiming another customer's
// site must not put its `agent` points under that site. Over real NATS:
// cpe-1 runs at S1 (the inventory says so) and claims S2; an agent no site
// names claims S2 as well. Both are counted, neither point says S2, and the
// registry (the API's agents) shows the inventory's site.
func TestHeartbeatSiteFromInventory(t *testing.T) {
	nc := startNATS(t)
	db := openDB(t)
	importSites(t, db, "S1=cpe-1", "S2=cpe-2")
	f := newFixture(t, db)
	sub, err := f.r.Subscribe(nc)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	publish := func(agent, site string) {
		data, _ := json.Marshal(result.Heartbeat{Agent: agent, Site: site, Version: "2.0.0", Time: f.clk.Now(), IntervalS: 10})
		if err := nc.Publish(SubjectPrefix+agent, data); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	publish("cpe-1", "S2")   // a stolen box at S1 posing as S2
	publish("rogue-9", "S2") // no site names it
	publish("cpe-2", "S2")   // the honest one
	waitFor(t, "three agents heard", func() bool { return len(f.r.List()) == 3 })
	f.evaluate(t)

	for id, want := range map[string]string{"cpe-1": "S1", "rogue-9": "", "cpe-2": "S2"} {
		if a := f.state(t, id); a.Site != want {
			t.Errorf("%s: site %q, want the inventory's %q", id, a.Site, want)
		}
	}
	var m dto.Metric
	_ = f.r.m.siteClaims.Write(&m)
	if n := m.GetCounter().GetValue(); n != 2 {
		t.Errorf("site claims counted: %v, want 2", n)
	}
	lines := f.pts.take()
	if !hasLine(lines, "agent=cpe-1", "site=S1") || !hasLine(lines, "agent=cpe-2", "site=S2") {
		t.Errorf("agent points lack the inventory's sites: %q", lines)
	}
	if hasLine(lines, "agent=cpe-1", "site=S2") || hasLine(lines, "agent=rogue-9", "site=") {
		t.Errorf("a claimed site was written: %q", lines)
	}
	var stored string
	if err := db.QueryRowContext(context.Background(), `SELECT site FROM agents WHERE id = 'cpe-1'`).Scan(&stored); err != nil || stored != "S1" {
		t.Errorf("stored site of cpe-1: %q (%v), want S1", stored, err)
	}
}
