package agentconfig

import (
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/probes"
)

// TestDeriveConfirm: with confirmation on, the derived ping probe carries
// the confirm block, with rounds = the detector's k of the highest among
// its lines' tiers (here diamond, k = 2, and standard, the default k = 3),
// and each target the priority of its customer's tier; the agent's own
// rules accept it and read the same values.
func TestDeriveConfirm(t *testing.T) {
	a := inventory.Assignment{Agent: "cpe-1", Site: inventory.Site{ID: "S1", Agent: "cpe-1"},
		Lines: []inventory.Line{
			{CircuitID: "L1", CustomerID: "C-std", ProbeAddress: "198.18.0.1"},
			{CircuitID: "L2", CustomerID: "C-dia", ProbeAddress: "198.18.0.2"},
		},
		Watches: []inventory.Line{{CircuitID: "L3", CustomerID: "C-ab", WatchAddress: "198.18.0.3"}},
	}
	prof := Profiles{
		Ping: PingProfile{Interval: time.Second, Timeout: 100 * time.Millisecond, Count: 3,
			Confirm: ConfirmProfile{Interval: 200 * time.Millisecond, Watch: time.Minute, K: map[string]int{"diamond": 2, "ab_group": 2}, DefaultK: 3}},
		Tiers: map[string]string{"C-std": "standard", "C-dia": "diamond", "C-ab": "ab_group"},
	}
	got, err := Derive(a, prof, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"      confirm:\n        interval: 200ms\n        rounds: 3\n        watch: 1m0s\n",
		"        - address: 198.18.0.2\n          labels:\n            customer: C-dia\n            line: L2\n            site: S1\n          priority: 3\n",
		"        - address: 198.18.0.3\n          labels:\n            customer: C-ab\n            line: L3\n            site: S1\n          priority: 4\n",
	} {
		if !strings.Contains(string(got), want) {
			t.Fatalf("derived config lacks\n%s\nin\n%s", want, got)
		}
	}
	cfg, err := config.ParseRemote("kv", got, baseConfig(t), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	cf := cfg.Probes[0].Confirm
	jobs := cfg.Jobs()
	if cf == nil || *cf.Rounds != 3 || cf.Interval != 200*time.Millisecond || *cf.Watch != time.Minute ||
		jobs[0].Priority != 0 || jobs[1].Priority != 3 || jobs[2].Priority != 4 {
		t.Fatalf("agent reads confirm %+v, priorities %d %d %d", cf, jobs[0].Priority, jobs[1].Priority, jobs[2].Priority)
	}

	// Only diamond lines: k = 2 for them.
	a.Lines, a.Watches = a.Lines[1:], nil
	if got, _ := Derive(a, prof, nil); !strings.Contains(string(got), "rounds: 2\n") {
		t.Fatalf("diamond-only probe:\n%s", got)
	}
	// Confirmation off: no block, no priorities.
	prof.Ping.Confirm = ConfirmProfile{}
	if got, _ := Derive(a, prof, nil); strings.Contains(string(got), "confirm") || strings.Contains(string(got), "priority") {
		t.Fatalf("confirmation off, yet:\n%s", got)
	}
}
