package probes

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMEProbeTypes: the probe types the README documents (each `type:`
// of its agent YAML examples) and the "known: …" list of its example error
// are exactly the registry's, so neither can promise a type the agent
// refuses (issue 9: README showed `type: snmp`, the registry had no snmp).
func TestREADMEProbeTypes(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	typeLine := regexp.MustCompile(`(?m)^\s*(?:-\s+)?type:\s*([A-Za-z0-9_-]+)\s*(?:#.*)?$`)
	var documented []string
	for _, block := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(readme, -1) {
		for _, m := range typeLine.FindAllStringSubmatch(block[1], -1) {
			documented = append(documented, m[1])
		}
	}
	slices.Sort(documented)
	documented = slices.Compact(documented)
	if !slices.Equal(documented, Types()) {
		t.Errorf("README's yaml examples use probe types %v, the registry has %v", documented, Types())
	}
	known := regexp.MustCompile(`\(known: ([^)]*)\)`).FindAllStringSubmatch(readme, -1)
	if len(known) == 0 {
		t.Fatal(`README shows no "(known: …)" config error`)
	}
	for _, k := range known {
		if k[1] != strings.Join(Types(), ", ") {
			t.Errorf("README says (known: %s), the registry says (known: %s)", k[1], strings.Join(Types(), ", "))
		}
	}
}
