package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func asErrors(err error, target **Errors) bool { return errors.As(err, target) }

// TestInvalidFiles maps each file in testdata/invalid to the exact messages
// an operator sees: file:line[:column]: field: what is wrong.
func TestInvalidFiles(t *testing.T) {
	const dir = "testdata/invalid/"
	tests := []struct {
		file string
		want []string
	}{
		{"unknown-key.yaml", []string{
			dir + "unknown-key.yaml:5: customers[0].colour: unknown key (want id, name, tier, account_manager)",
		}},
		{"bad-tier.yaml", []string{
			dir + `bad-tier.yaml:3: customers[1].tier: "platinum" is not one of ab_group, diamond, gold, silver, standard`,
			dir + "bad-tier.yaml:4: customers[2].name: is required",
		}},
		{"missing-customer.yaml", []string{
			dir + `missing-customer.yaml:6: lines[1].customer: "C999" is not a known customer (neither in this file nor already imported)`,
		}},
		{"bad-assignment.yaml", []string{
			dir + `bad-assignment.yaml:4: sites[0].agent: "cpe 1" is not an agent id (letters, digits, '-' or '_')`,
			dir + `bad-assignment.yaml:6: lines[0].probe_address: "198.18.0.1; rm" is not an IP address or host name`,
		}},
		{"bad-snmp.yaml", []string{
			dir + `bad-snmp.yaml:2: elements[0].agent: "pop 1" is not an agent id (letters, digits, '-' or '_')`,
			dir + `bad-snmp.yaml:3: elements[1].snmp_profile: is required with snmp_address: it names the device's credentials in the controller's remote_config.snmp.profiles`,
			dir + `bad-snmp.yaml:4: elements[2].snmp_address: "198.18.0.2:99999": port must be 1..65535`,
			dir + `bad-snmp.yaml:5: elements[3].snmp_profile: "pe v3" is not a profile name (letters, digits, '.', '-' or '_')`,
			dir + `bad-snmp.yaml:9: lines[0].snmp_ifalias: give one of snmp_ifname and snmp_ifalias, not both`,
			dir + `bad-snmp.yaml:10: lines[1].snmp_device: needs snmp_ifname or snmp_ifalias: the interface of the device that carries the line`,
		}},
		{"snmp-no-device.yaml", []string{
			dir + `snmp-no-device.yaml:8: lines[0].snmp_ifname: no SNMP device carries this line: set snmp_device, or give upstream_element "pe1" or an element above it an snmp_address`,
			dir + `snmp-no-device.yaml:9: lines[1].snmp_device: element "pe1" has no snmp_address`,
			dir + `snmp-no-device.yaml:10: lines[2].snmp_device: "pe9" is not a known element (neither in this file nor already imported)`,
		}},
		{"element-cycle.yaml", []string{
			dir + `element-cycle.yaml:3: elements[1].parent: "c" makes a cycle (child → parent): a → c → b → a`,
		}},
		{"duplicate-id.yaml", []string{
			dir + `duplicate-id.yaml:3: customers[1].id: "C1" is defined twice in this file (first at line 2)`,
		}},
		// yaml.v3 places an unclosed flow mapping at the line of its section.
		{"syntax.yaml", []string{
			dir + "syntax.yaml:1: did not find expected ',' or '}'",
		}},
		{"unknown-section.yaml", []string{
			dir + "unknown-section.yaml:1: customer: unknown section (want customers, elements, sites, contacts, lines)",
		}},
		{"bad-number.csv", []string{
			dir + `bad-number.csv:3:7: rtt_ms: "fast" is not a number`,
			dir + `bad-number.csv:3:12: loss_pct: 101 is outside [0, 100]`,
		}},
		{"wrong-columns.csv", []string{
			dir + "wrong-columns.csv:3: row has 3 fields, the header has 4",
			dir + "wrong-columns.csv:4: row has 5 fields, the header has 4",
		}},
		{"unknown-kind.csv", []string{
			dir + "unknown-kind.csv:1:1: id: first column must name the kind: customer_id (customers), element_id (elements), " +
				"site_id (sites), contact_id (contacts), circuit_id (lines)",
		}},
		{"unknown-customer.csv", []string{
			dir + `unknown-customer.csv:2:4: customer: "C404" is not a known customer (neither in this file nor already imported)`,
			dir + `unknown-customer.csv:3:4: customer: "C404" is not a known customer (neither in this file nor already imported)`,
			dir + `unknown-customer.csv:3:9: upstream_element: "port-9" is not a known element (neither in this file nor already imported)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, _ := newStore(t)
			set, err := ParseFile(dir + tt.file)
			if err == nil {
				_, err = s.Import(context.Background(), set, ImportOptions{})
			}
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want *Errors, got %T %v", err, err)
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestErrorsAreCapped(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("circuit_id,customer,rtt_ms\n")
	for i := 0; i < 80; i++ {
		fmt.Fprintf(&b, "L%d,C1,slow\n", i)
	}
	_, err := ParseCSV("lines.csv", b.Bytes())
	var errs *Errors
	if !errors.As(err, &errs) || errs.Total != 80 || len(errs.List) != MaxErrors {
		t.Fatalf("%v", err)
	}
	if errs.List[0].Line != 2 || !strings.HasSuffix(err.Error(), "\n(and 30 more errors)") {
		t.Errorf("first %v; tail %q", errs.List[0], err.Error()[len(err.Error())-40:])
	}
}

func TestCSVNotUTF8(t *testing.T) {
	gbk := []byte("customer_id,name,tier\nC1,\xb9\xe3\xd6\xdd,gold\n") // 广州 in GBK
	_, err := ParseCSV("c.csv", gbk)
	if err == nil || !strings.Contains(err.Error(), "c.csv:2: is not UTF-8 text (a GBK export?") {
		t.Fatalf("%v", err)
	}
}

func TestCSVHeaderProblems(t *testing.T) {
	_, err := ParseCSV("l.csv", []byte("circuit_id,colour,circuit_id\nL1,red,L1\n"))
	want := []string{
		"l.csv:1: customer: required column is missing",
		"l.csv:1:12: colour: unknown column for lines (want customer, a_end_site, z_end, upstream_element, sla_availability_pct, loss_pct, rtt_ms, jitter_ms, probe_address, snmp_device, snmp_ifname, snmp_ifalias, z_end_site, watchers, watch_address)",
		"l.csv:1:19: circuit_id: unknown column for lines (want customer, a_end_site, z_end, upstream_element, sla_availability_pct, loss_pct, rtt_ms, jitter_ms, probe_address, snmp_device, snmp_ifname, snmp_ifalias, z_end_site, watchers, watch_address)",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Fatalf("got:\n%v", err)
	}
}
