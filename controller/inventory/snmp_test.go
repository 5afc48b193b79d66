package inventory

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSNMPFieldsCSV: the SNMP columns of elements and lines import from CSV
// as from YAML, and a re-import of the same files changes nothing.
func TestSNMPFieldsCSV(t *testing.T) {
	s, _ := newStore(t)
	files := []string{
		writeFile(t, "customers.csv", "customer_id,name,tier\nC1,One,gold\n"),
		writeFile(t, "elements.csv", "element_id,parent,kind,agent,snmp_address,snmp_profile\npop1,,pop,pop1-agent,,\npe1,pop1,router,,198.18.0.1:1161,pe-v3\n"),
		writeFile(t, "lines.csv", "circuit_id,customer,upstream_element,snmp_ifalias,snmp_ifname,snmp_device\n"+
			"00017,C1,pe1,CIRCUIT 00017,,\n00018,C1,,,ge-0/0/2,pe1\n"),
	}
	for _, f := range files {
		mustImport(t, s, f)
	}
	ctx := context.Background()
	pe1, err := s.Element(ctx, "pe1")
	if err != nil || pe1.SNMPAddress != "198.18.0.1:1161" || pe1.SNMPProfile != "pe-v3" {
		t.Errorf("pe1 = %+v, %v", pe1, err)
	}
	l17, _ := s.Line(ctx, "00017")
	l18, _ := s.Line(ctx, "00018")
	if l17.SNMPIfAlias != "CIRCUIT 00017" || l18.SNMPIfName != "ge-0/0/2" || l18.SNMPDevice != "pe1" {
		t.Errorf("lines %+v %+v", l17, l18)
	}
	for _, f := range files {
		for kind, tally := range mustImport(t, s, f) {
			if tally.Created+tally.Updated != 0 {
				t.Errorf("re-import of %s: %s %+v", filepath.Base(f), kind, tally)
			}
		}
	}
}

// TestREADMEExamplesImport: every YAML example in the inventory README
// imports as shown (with a customer added where the example leaves it out).
func TestREADMEExamplesImport(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	if len(blocks) == 0 {
		t.Fatal("no yaml example in README.md")
	}
	for i, b := range blocks {
		s, _ := newStore(t)
		text := b[1]
		if !strings.Contains(text, "customers:") {
			text = "customers:\n  - {id: C100, name: Example, tier: gold}\n" + text
		}
		set, err := ParseFile(writeFile(t, "example.yaml", text))
		if err == nil {
			_, err = s.Import(context.Background(), set, ImportOptions{})
		}
		if err != nil {
			t.Errorf("README example %d does not import: %v\n%s", i, err, b[1])
		}
	}
}
