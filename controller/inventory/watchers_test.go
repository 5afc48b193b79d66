package inventory

import (
	"context"
	"errors"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// watchersYAML is a line watched from both ends: its CPE agent at S1 (the
// A end), the hub agent at site HUB (its Z end), and the PoP agent named
// by element pop1 (a watcher); L2 is watched from the PoP only.
const watchersYAML = `customers:
  - {id: C1, name: One, tier: gold}
elements:
  - {id: pop1, kind: pop, agent: pop-agent}
  - {id: port1, parent: pop1, kind: port}
sites:
  - {id: S1, customer: C1, kind: cpe, name: HQ, agent: cpe-1}
  - {id: S2, customer: C1, kind: cpe, name: Branch}
  - {id: HUB, customer: C1, kind: cpe, name: Hub, agent: hub-1}
lines:
  - {circuit_id: L1, customer: C1, a_end_site: S1, probe_address: 198.18.1.1, z_end_site: HUB, watchers: [pop1], watch_address: 198.18.1.2}
  - {circuit_id: L2, customer: C1, a_end_site: S2, upstream_element: port1, watchers: "pop1", watch_address: 198.18.2.2}
`

// TestWatchersAssignAndWatch: each watching agent gets the lines it
// watches from their far end (Assignments, with their watch address) and
// may give evidence about them (WatchedLines), and the A-end agent is
// known as the customer side.
func TestWatchersAssignAndWatch(t *testing.T) {
	s, _ := newStore(t)
	mustImport(t, s, writeFile(t, "w.yaml", watchersYAML))
	as, err := s.Assignments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, a := range as {
		for _, l := range a.Watches {
			got[a.Agent] = append(got[a.Agent], l.CircuitID+"@"+l.WatchAddress)
		}
		if a.Agent == "pop-agent" && a.Site.ID != "" {
			t.Errorf("pop-agent runs at no site, got %+v", a.Site)
		}
		if a.Agent == "cpe-1" && (len(a.Lines) != 1 || len(a.Watches) != 0) {
			t.Errorf("cpe-1: lines %v watches %v", a.Lines, a.Watches)
		}
	}
	want := map[string][]string{"hub-1": {"L1@198.18.1.2"}, "pop-agent": {"L1@198.18.1.2", "L2@198.18.2.2"}}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("far-end watches = %v, want %v", got, want)
	}
	w, err := s.WatchedLines(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		agent, line string
		watches     bool
		customer    bool
	}{
		{"cpe-1", "L1", true, true}, {"hub-1", "L1", true, false}, {"pop-agent", "L1", true, false},
		{"pop-agent", "L2", true, false}, {"hub-1", "L2", false, false}, {"cpe-1", "L2", false, false},
	} {
		if w.Watches(c.agent, c.line) != c.watches || w.CustomerSide(c.agent, c.line) != c.customer {
			t.Errorf("%s on %s: watches %v customer side %v, want %v %v", c.agent, c.line,
				w.Watches(c.agent, c.line), w.CustomerSide(c.agent, c.line), c.watches, c.customer)
		}
	}
	// Read back, exported and re-imported: nothing changes.
	l, err := s.Line(context.Background(), "L1")
	if err != nil || l.ZSite != "HUB" || !slices.Equal(l.Watchers, []string{"pop1"}) || l.WatchAddress != "198.18.1.2" {
		t.Fatalf("L1 = %+v, %v", l, err)
	}
	counts := mustImport(t, s, writeFile(t, "w.yaml", watchersYAML))
	if counts[KindLines].Unchanged != 2 {
		t.Errorf("re-import: %v", counts)
	}
}

// TestWatchersCSV: the CSV form, ids separated by ';', round-trips
// through an export.
func TestWatchersCSV(t *testing.T) {
	s, _ := newStore(t)
	mustImport(t, s, writeFile(t, "w.yaml", strings.Split(watchersYAML, "lines:")[0]))
	csv := "circuit_id,customer,a_end_site,probe_address,z_end_site,watchers,watch_address\n" +
		"L9,C1,S1,198.18.9.1,HUB,pop1; S2,198.18.9.2\n"
	c := mustImport(t, s, writeFile(t, "lines.csv", csv))
	if c[KindLines].Created != 1 {
		t.Fatalf("import: %v", c)
	}
	l, err := s.Line(context.Background(), "L9")
	if err != nil || !slices.Equal(l.Watchers, []string{"pop1", "S2"}) || l.ZSite != "HUB" {
		t.Fatalf("L9 = %+v, %v", l, err)
	}
	var out strings.Builder
	if _, err := s.ExportCSV(context.Background(), KindLines, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pop1;S2") {
		t.Errorf("export lacks the watchers: %s", out.String())
	}
}

// TestWatchersBadInput: a watcher that exists nowhere in the inventory
// is an import error naming the file, row and field; so are a watcher
// without an address to ping and the other mistakes of the fields.
func TestWatchersBadInput(t *testing.T) {
	s, _ := newStore(t)
	mustImport(t, s, writeFile(t, "w.yaml", strings.Split(watchersYAML, "lines:")[0]))
	cases := []struct{ name, text, want string }{
		{"lines.csv", "circuit_id,customer,watchers,watch_address\nL1,C1,pop1;pop-nowhere,198.18.1.2\n",
			`lines.csv:2:7: watchers: watcher "pop-nowhere" is not a known site or element (neither in this file nor already imported)`},
		{"lines.yaml", "lines:\n  - {circuit_id: L1, customer: C1, z_end_site: HUB-X, watch_address: 198.18.1.2}\n",
			`lines.yaml:2: lines[0].z_end_site: watcher "HUB-X" is not a known site (neither in this file nor already imported)`},
		{"lines.yaml", "lines:\n  - {circuit_id: L1, customer: C1, watchers: [pop1]}\n",
			`lines.yaml:2: lines[0].watch_address: is required with watchers: the address (the customer end of the circuit) its watchers ping`},
		{"lines.yaml", "lines:\n  - {circuit_id: L1, customer: C1, watch_address: 198.18.1.2}\n",
			`lines.yaml:2: lines[0].watch_address: needs z_end_site or watchers: the agents that ping it`},
		{"lines.csv", "circuit_id,customer,watchers,watch_address\nL1,C1,pop1;;S2,198.18.1.2\n",
			`lines.csv:2:7: watchers: "pop1;;S2" has an empty id (ids are separated by ';')`},
		{"lines.csv", "circuit_id,customer,watchers,watch_address\nL1,C1,pop1;pop1,198.18.1.2\n",
			`lines.csv:2:7: watchers: "pop1" is named twice`},
		{"lines.yaml", "lines:\n  - {circuit_id: L1, customer: C1, a_end_site: S1, z_end_site: S1, watch_address: 198.18.1.2}\n",
			`lines.yaml:2: lines[0].z_end_site: "S1" is the line's a_end_site too`},
		{"lines.yaml", "lines:\n  - {circuit_id: L1, customer: C1, watchers: [pop1, {a: b}], watch_address: 198.18.1.2}\n",
			`lines.yaml:2: lines[0].watchers[1]: must be an id`},
	}
	for _, c := range cases {
		set, err := ParseFile(writeFile(t, c.name, c.text))
		if err == nil {
			_, err = s.Import(context.Background(), set, ImportOptions{})
		}
		var errs *Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: want *Errors, got %v", c.text, err)
			continue
		}
		if got := errs.Error(); !strings.Contains(got, c.want) {
			t.Errorf("%s:\n got %s\nwant %s", c.text, got, c.want)
		}
	}
}

// TestTopREADMEInventoryExamplesImport: every inventory example in the
// project README (a YAML block starting with an inventory section) imports
// as shown.
func TestTopREADMEInventoryExamplesImport(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1) {
		first, _, _ := strings.Cut(b[1], ":")
		if !slices.Contains(Kinds, Kind(strings.TrimSpace(first))) {
			continue // agent.yaml, controller.yaml
		}
		n++
		s, _ := newStore(t)
		set, err := ParseFile(writeFile(t, "example.yaml", b[1]))
		if err == nil {
			_, err = s.Import(context.Background(), set, ImportOptions{})
		}
		if err != nil {
			t.Errorf("README inventory example does not import: %v\n%s", err, b[1])
		}
	}
	if n == 0 {
		t.Fatal("no inventory example in README.md")
	}
}
