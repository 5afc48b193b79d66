package inventory

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestAssignments: sites name their agent, lines their probe address; an
// agent with a site and no probed line still gets an (empty) assignment,
// and lines without a probe address or at an agentless site are left out.
// A re-import moving a line to another site moves it between agents.
func TestAssignments(t *testing.T) {
	s, _ := newStore(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mustImport(t, s, write("a.yaml", `customers:
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
	mustImport(t, s, write("b.yaml", `lines:
  - {circuit_id: L2, customer: C1, a_end_site: S2, probe_address: 198.18.0.2}
`))
	got, _ = s.Assignments(context.Background())
	want["cpe-1"], want["cpe-2"] = []string{"S1", "L1@pe1.example.net"}, []string{"S2", "L2@198.18.0.2"}
	if g := summary(got); !maps.EqualFunc(g, want, slices.Equal) {
		t.Errorf("after move: %v, want %v", g, want)
	}
}
