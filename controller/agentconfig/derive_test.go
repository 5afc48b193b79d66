package agentconfig

import (
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/probes"
)

func assignment() inventory.Assignment {
	lat, lon := 30.25, 120.17
	return inventory.Assignment{Agent: "cpe-1",
		Site: inventory.Site{ID: "S1", Lat: &lat, Lon: &lon, Agent: "cpe-1"},
		Lines: []inventory.Line{
			{CircuitID: "0571-L1", CustomerID: "C1", ProbeAddress: "198.18.0.1"},
			{CircuitID: "0571-L2", CustomerID: "C1", ProbeAddress: "pe1.example.net"},
		}}
}

func TestDerive(t *testing.T) {
	got, err := Derive(assignment(), Profiles{Ping: PingProfile{Interval: time.Second, Timeout: 800 * time.Millisecond, Count: 3, PacketInterval: 10 * time.Millisecond}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `# Derived by vantage-controller from the inventory (site S1); edits here are overwritten.
agent_id: cpe-1
site:
    id: S1
    lat: 30.25
    lon: 120.17
probes:
    - name: lines
      type: ping
      interval: 1s
      timeout: 800ms
      options:
        count: 3
        packet_interval: 10ms
      targets:
        - address: 198.18.0.1
          labels:
            customer: C1
            line: 0571-L1
            site: S1
        - address: pe1.example.net
          labels:
            customer: C1
            line: 0571-L2
            site: S1
`
	if string(got) != want {
		t.Errorf("Derive =\n%s\nwant\n%s", got, want)
	}
	// The agent's own rules accept it, labels and all.
	cfg, err := config.ParseRemote("kv", got, baseConfig(t), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Probes) != 1 || cfg.Probes[0].Targets[1].Labels.Line != "0571-L2" || cfg.Site.ID != "S1" {
		t.Errorf("agent reads %+v", cfg.Probes)
	}
}

func TestDeriveExtraAndEmpty(t *testing.T) {
	a := assignment()
	extra := []byte("probes:\n  - {name: portal, type: http, interval: 30s, targets: [\"https://portal.example.net/\"]}\n")
	got, err := Derive(a, Profiles{Ping: PingProfile{Interval: time.Second, Count: 1}}, extra)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseRemote("kv", got, baseConfig(t), probes.TypeInfo{})
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if len(cfg.Probes) != 2 || cfg.Probes[1].Name != "portal" {
		t.Errorf("probes %+v", cfg.Probes)
	}
	if _, err := Derive(a, Profiles{Ping: PingProfile{Interval: time.Second, Count: 1}},
		[]byte("probes:\n  - {name: lines, type: ping, interval: 1s, targets: [198.18.0.9]}\n")); err == nil ||
		!strings.Contains(err.Error(), `probes[0].name: "lines" is the derived probe's name`) {
		t.Errorf("extra probe named lines: %v", err)
	}
	// A site with an agent and no probed lines gets no probes, not an error.
	a.Lines = nil
	got, err = Derive(a, Profiles{Ping: PingProfile{Interval: time.Second, Count: 1}}, nil)
	if err != nil || !strings.Contains(string(got), "probes: []") {
		t.Errorf("empty assignment: %v\n%s", err, got)
	}
}

func baseConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse("agent.yaml", []byte("agent_id: cpe-1\nnats: {urls: [nats://127.0.0.1:4222]}\n"+
		"remote_config: {enabled: true, cache_file: /tmp/unused.yaml}\n"), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// FuzzDerive feeds arbitrary extra-probe files: Derive returns a config or
// an error, never panics, and what it returns the agent's rules either
// accept or refuse with an error (Put checks before publishing).
func FuzzDerive(f *testing.F) {
	f.Add([]byte("probes:\n  - {name: portal, type: http, interval: 30s, targets: [\"https://p.example.net/\"]}\n"))
	f.Add([]byte("probes:\n  - {name: lines}\n"))
	f.Add([]byte("probes: {a: 1}\n"))
	f.Add([]byte("\x00\xff: ["))
	f.Fuzz(func(t *testing.T, extra []byte) {
		out, err := Derive(assignment(), Profiles{Ping: PingProfile{Interval: time.Second, Count: 3}}, extra)
		if err != nil {
			return
		}
		_ = config.CheckRemote("kv", out, "cpe-1", probes.TypeInfo{})
	})
}

// TestDeriveExtraSNMP: an extra_dir file may hold snmp probes, as the
// README says (issue 9: the agent's rules, asked before publishing,
// answered "known: dial, http, ping").
func TestDeriveExtraSNMP(t *testing.T) {
	extra := []byte(`probes:
  - name: cpe-router
    type: snmp
    interval: 30s
    targets: [198.18.0.2]
    options:
      community: lab-community
      interfaces: [{name: ge-0/0/1, line: 0571-L1}]
`)
	got, err := Derive(assignment(), Profiles{Ping: PingProfile{Interval: time.Second, Count: 3}}, extra)
	if err != nil {
		t.Fatal(err)
	}
	if err := config.CheckRemote("kv", got, "cpe-1", probes.TypeInfo{}); err != nil {
		t.Fatalf("derived config with an extra snmp probe refused: %v\n%s", err, got)
	}
}
