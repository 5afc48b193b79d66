package inventory

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWatchedLines: an agent watches the lines of its A-end site and,
// from the network side, the lines below its elements or naming its SNMP
// device; nobody watches a line at an agentless site or below an
// agentless element.
func TestWatchedLines(t *testing.T) {
	s, _ := newStore(t)
	p := filepath.Join(t.TempDir(), "w.yaml")
	if err := os.WriteFile(p, []byte(`customers:
  - {id: C1, name: One, tier: gold}
  - {id: C2, name: Two, tier: diamond}
elements:
  - {id: pop1, kind: pop, agent: pop1-agent}
  - {id: pe1, parent: pop1, kind: router, snmp_address: 198.18.0.1, snmp_profile: pe-v3}
  - {id: pop2, kind: pop}
  - {id: pe2, parent: pop2, kind: router, agent: cpe-1, snmp_address: 198.18.0.2, snmp_profile: legacy}
  - {id: pe4, parent: pop2, kind: router}
sites:
  - {id: S1, customer: C1, kind: cpe, name: HQ, agent: cpe-1}
  - {id: S2, customer: C2, kind: cpe, name: Vault, agent: cpe-2}
  - {id: S3, customer: C2, kind: cpe, name: Unmanaged}
lines:
  - {circuit_id: L1, customer: C1, a_end_site: S1}
  - {circuit_id: L2, customer: C2, a_end_site: S2, upstream_element: pe1}
  - {circuit_id: L3, customer: C2, a_end_site: S3, upstream_element: pe4}
  - {circuit_id: L4, customer: C2, a_end_site: S3, upstream_element: pe4, snmp_device: pe2, snmp_ifname: xe-1/0/0}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, p)
	w, err := s.WatchedLines(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for agent, lines := range w.ByAgent {
		got[agent] = slices.Sorted(maps.Keys(lines))
	}
	want := map[string][]string{
		"cpe-1":      {"L1", "L4"}, // its site's L1; L4 by snmp_device pe2
		"cpe-2":      {"L2"},
		"pop1-agent": {"L2"}, // below pe1
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("WatchedLines = %v, want %v", got, want)
	}
	if w.Watches("cpe-1", "L2") || !w.Watches("cpe-2", "L2") || w.Watches("nobody", "L1") {
		t.Errorf("Watches disagrees with the map %v", got)
	}
	if !w.Known("L3") || w.Known("L-INVENTED") || len(w.Lines) != 4 {
		t.Errorf("Lines = %v, want L1..L4", w.Lines)
	}
	for agent, lines := range want {
		if agent == "cpe-2" {
			continue // watches from its site only
		}
		net, err := s.LinesWatchedFromNetwork(context.Background(), agent)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range net {
			if !w.Watches(agent, l) {
				t.Errorf("%s watches %s from the network side, WatchedLines misses it (%v)", agent, l, lines)
			}
		}
	}
}
