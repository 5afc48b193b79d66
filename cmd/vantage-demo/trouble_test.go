package main

import (
	"fmt"
	"testing"
	"time"

	agentconfig "github.com/vantage-net/vantage/agent/config"
	ctrlconfig "github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/probes"
)

func TestTroubleSchedule(t *testing.T) {
	cases := map[time.Duration]string{
		0:                               "[]",
		16 * time.Second:                "[DL-0101 DL-0102 DL-0103 DL-0104]",
		23 * time.Second:                "[]",
		31 * time.Second:                "[DL-0201]",
		41 * time.Second:                "[DL-0301]",
		100 * time.Second:               "[DL-0202]",
		130 * time.Second:               "[DL-0202 DL-0401]",
		170 * time.Second:               "[]",
		troubleCycle + 31*time.Second:   "[DL-0201]",
		2*troubleCycle + 16*time.Second: "[DL-0101 DL-0102 DL-0103 DL-0104]",
	}
	for at, want := range cases {
		if got := fmt.Sprint(troubleAt(at)); got != want {
			t.Errorf("at %s: %s, want %s", at, got, want)
		}
	}
	// Every scheduled line must be one a demo agent watches: the lines
	// agent by HTTP, demo-pop by SNMP.
	for _, s := range troubleSchedule {
		for _, l := range s.lines {
			if _, ok := demoLines[l]; !ok && l != snmpLine {
				t.Errorf("schedule names %s, which no demo probe watches", l)
			}
		}
	}
}

// TestDemoInventory keeps the embedded inventory and the demo's probes in step.
func TestDemoInventory(t *testing.T) {
	set, err := inventory.ParseYAML("inventory.yaml", demoInventory)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range set.Lines {
		got[l.CircuitID] = l.CustomerID
	}
	if fmt.Sprint(got) != fmt.Sprint(demoLines) {
		t.Errorf("inventory lines %v, demo probes %v", got, demoLines)
	}
}

// TestDemoSNMPConfigs: the SNMP inventory the demo imports after the main
// one and the controller's remote_config block it adds are valid, and the
// line the trouble schedule flips is the one mapped to the interface.
func TestDemoSNMPConfigs(t *testing.T) {
	s := &demoSNMP{target: "127.0.0.1:16100", ifname: "vdm1a", trapAddr: "127.0.0.1:16200"}
	set, err := inventory.ParseYAML("inventory-snmp.yaml", []byte(s.inventory()))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Lines) != 1 || set.Lines[0].CircuitID != snmpLine || set.Lines[0].SNMPIfName != "vdm1a" {
		t.Errorf("snmp inventory lines %+v", set.Lines)
	}
	if _, ok := demoLines[snmpLine]; ok {
		t.Errorf("%s must be watched by SNMP only, not by the lines agent's HTTP probes", snmpLine)
	}
	cfg, err := ctrlconfig.Parse("controller.yaml", []byte(controllerYAML("127.0.0.1:9100", 4222, "/tmp/x",
		influxInfo{url: "http://127.0.0.1:8086", bucket: "vantage/autogen"})+s.controllerYAML()))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.RemoteConfig.SNMP.Profiles["demo"]; !ok || !cfg.RemoteConfig.Enabled {
		t.Errorf("remote_config %+v", cfg.RemoteConfig)
	}
	a := s.agent("nats://127.0.0.1:4222", "/tmp/x")
	text := "agent_id: demo-pop\nnats: {urls: [nats://127.0.0.1:4222]}\n" + a.yaml("127.0.0.1:0")
	if _, err := agentconfig.Parse("demo-pop.yaml", []byte(text), probes.TypeInfo{}); err != nil {
		t.Errorf("demo-pop's config: %v\n%s", err, text)
	}
}
