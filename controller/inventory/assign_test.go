package inventory

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAssignments: sites name their agent, lines their probe address; an
// agent with a site and no probed line still gets an (empty) assignment,
// and lines without a probe address or at an agentless site are left out.
// A re-import moving a line to another site moves it between agents.
func TestAssignments(t *testing.T) {
	s, _ := newStore(t)
	mustImport(t, s, writeFile(t, "a.yaml", `customers:
  - {id: C1, name: One, tier: gold}
sites:
  - {id: S1, customer: C1, kind: cpe, name: HQ, agent: cpe-1}
  - {id: S2, customer: C1, kind: cpe, name: Branch, agent: cpe-2}
  - {id: S3, customer: C1, kind: cpe, name: Unmanaged}
  - {id: H1, kind: hotspot, name: Mall, agent: hs-1}
lines:
  - {circuit_id: L2, customer: C1, a_end_site: S1, probe_address: 198.18.0.2}
  - {circuit_id: L1, customer: C1, a_end_site: S1, probe_address: pe1.example.net}
  - {circuit_id: L3, customer: C1, a_end_site: S1}
  - {circuit_id: L4, customer: C1, a_end_site: S3, probe_address: 198.18.0.4}
`))
	got, err := s.Assignments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	summary := func(as []Assignment) map[string][]string {
		m := map[string][]string{}
		for _, a := range as {
			m[a.Agent] = []string{a.Site.ID}
			for _, l := range a.Lines {
				m[a.Agent] = append(m[a.Agent], l.CircuitID+"@"+l.ProbeAddress)
			}
		}
		return m
	}
	want := map[string][]string{
		"cpe-1": {"S1", "L1@pe1.example.net", "L2@198.18.0.2"},
		"cpe-2": {"S2"},
		"hs-1":  {"H1"},
	}
	if g := summary(got); !maps.EqualFunc(g, want, slices.Equal) {
		t.Errorf("assignments = %v, want %v", g, want)
	}
	// Idempotent re-import; then L2 moves to S2.
	mustImport(t, s, writeFile(t, "b.yaml", `lines:
  - {circuit_id: L2, customer: C1, a_end_site: S2, probe_address: 198.18.0.2}
`))
	got, _ = s.Assignments(context.Background())
	want["cpe-1"], want["cpe-2"] = []string{"S1", "L1@pe1.example.net"}, []string{"S2", "L2@198.18.0.2"}
	if g := summary(got); !maps.EqualFunc(g, want, slices.Equal) {
		t.Errorf("after move: %v, want %v", g, want)
	}
}

// TestSNMPAssignments: a device's poller is the agent of the nearest
// element at or above it; a line's device is its snmp_device or the
// nearest device above its upstream element. An agent named only by an
// element gets an assignment without a site; one with a site gets its
// devices added to it. Network-side watching covers the lines below the
// agent's elements and those naming its devices.
func TestSNMPAssignments(t *testing.T) {
	s, _ := newStore(t)
	p := filepath.Join(t.TempDir(), "net.yaml")
	if err := os.WriteFile(p, []byte(`customers:
  - {id: C1, name: One, tier: gold}
elements:
  - {id: pop1, kind: pop, agent: pop1-agent}
  - {id: pe1, parent: pop1, kind: router, snmp_address: 198.18.0.1, snmp_profile: pe-v3}
  - {id: pe1-c1, parent: pe1, kind: card}
  - {id: pe1-c1-p1, parent: pe1-c1, kind: port}
  - {id: pop2, kind: pop}
  - {id: pe2, parent: pop2, kind: router, agent: cpe-1, snmp_address: "198.18.0.2:1161", snmp_profile: legacy}
  - {id: pe3, parent: pop2, kind: router, snmp_address: 198.18.0.3, snmp_profile: legacy}
  - {id: pop3, kind: pop}
  - {id: pe4, parent: pop3, kind: router, snmp_address: 198.18.0.4, snmp_profile: legacy}
sites:
  - {id: S1, customer: C1, kind: cpe, name: HQ, agent: cpe-1}
lines:
  - {circuit_id: L1, customer: C1, upstream_element: pe1-c1-p1, snmp_ifname: ge-0/0/1}
  - {circuit_id: L2, customer: C1, upstream_element: pe1-c1-p1, snmp_ifalias: "CIRCUIT L2"}
  - {circuit_id: L3, customer: C1, upstream_element: pe1-c1-p1}
  - {circuit_id: L4, customer: C1, a_end_site: S1, upstream_element: pe4, snmp_device: pe2, snmp_ifname: xe-1/0/0}
  - {circuit_id: L5, customer: C1, upstream_element: pe4, snmp_ifname: ge-0/0/5}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, p)
	ctx := context.Background()
	got, err := s.Assignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	summary := map[string][]string{}
	for _, a := range got {
		summary[a.Agent] = append(summary[a.Agent], "site="+a.Site.ID)
		for _, d := range a.Devices {
			e := d.Element
			item := e.ID + "@" + e.SNMPAddress + "/" + e.SNMPProfile + ":"
			for _, l := range d.Lines {
				item += " " + l.CircuitID + "=" + l.SNMPIfName + l.SNMPIfAlias
			}
			summary[a.Agent] = append(summary[a.Agent], item)
		}
	}
	want := map[string][]string{
		// pe3 has no agent at or above it (pop2 names none): not polled.
		// pe4 neither; L5 stays unpolled.
		"cpe-1":      {"site=S1", "pe2@198.18.0.2:1161/legacy: L4=xe-1/0/0"},
		"pop1-agent": {"site=", "pe1@198.18.0.1/pe-v3: L1=ge-0/0/1 L2=CIRCUIT L2"},
	}
	if !maps.EqualFunc(summary, want, slices.Equal) {
		t.Errorf("assignments = %v\nwant %v", summary, want)
	}
	if !slices.IsSortedFunc(got, func(a, b Assignment) int { return strings.Compare(a.Agent, b.Agent) }) {
		t.Errorf("assignments not ordered by agent")
	}
	for agent, want := range map[string][]string{
		"pop1-agent": {"L1", "L2", "L3"},
		"cpe-1":      {"L4"}, // by snmp_device pe2; L5 hangs below pop3, not pe2
		"nobody":     nil,
	} {
		lines, err := s.LinesWatchedFromNetwork(ctx, agent)
		if err != nil || !slices.Equal(lines, want) {
			t.Errorf("LinesWatchedFromNetwork(%s) = %v, %v; want %v", agent, lines, err, want)
		}
	}
}
