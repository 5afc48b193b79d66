package inventory

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportDemoYAML(t *testing.T) {
	s, path := newStore(t)
	var out bytes.Buffer
	if err := ImportCommand(context.Background(), path, []string{"testdata/demo.yaml"}, &out); err != nil {
		t.Fatal(err)
	}
	want := "testdata/demo.yaml: customers 5 created, 0 updated, 0 unchanged; elements 12 created, 0 updated, 0 unchanged; " +
		"sites 7 created, 0 updated, 0 unchanged; contacts 5 created, 0 updated, 0 unchanged; lines 7 created, 0 updated, 0 unchanged"
	if !strings.HasPrefix(out.String(), want) {
		t.Fatalf("output:\n%s\nwant prefix:\n%s", out.String(), want)
	}
	ctx := context.Background()
	l, err := s.Line(ctx, "DL-0101")
	if err != nil {
		t.Fatal(err)
	}
	if l.CustomerID != "C100" || l.UpstreamElement != "pe1-c1-p1" || *l.SLAAvailabilityPct != 99.99 || *l.Thresholds.JitterMs != 5 {
		t.Errorf("line %+v", l)
	}
	if l, _ := s.Line(ctx, "DL-0104"); l.Thresholds.LossPct != nil || l.ASite != "S300-HQ" {
		t.Errorf("DL-0104 thresholds should be unset: %+v", l)
	}
	c, err := s.Customer(ctx, "C100")
	if err != nil || c.Tier != TierABGroup {
		t.Errorf("customer %+v, %v", c, err)
	}
	site, err := s.Site(ctx, "S100-HQ")
	if err != nil || site.GridCell != "wtw3sjq" { // geohash 7 of 31.2304, 121.4737
		t.Errorf("site %+v, %v", site, err)
	}
	hs, _ := s.Site(ctx, "H-STATION")
	if hs.CustomerID != "" || hs.Kind != "hotspot" {
		t.Errorf("hotspot %+v", hs)
	}
	contacts, _ := s.ContactsOfCustomer(ctx, "C100")
	if len(contacts) != 2 || contacts[0].Role != "primary" {
		t.Errorf("contacts %+v", contacts)
	}
	if _, err := s.Customer(ctx, "nobody"); err == nil || !strings.Contains(err.Error(), `customer "nobody": not found`) {
		t.Errorf("unknown customer: %v", err)
	}
}

func TestImportCSVFilesInAnyOrder(t *testing.T) {
	s, path := newStore(t)
	files, _ := filepath.Glob("testdata/csv/*.csv") // alphabetical: contacts, customers, elements, lines, sites
	var out bytes.Buffer
	if err := ImportCommand(context.Background(), path, files, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	ctx := context.Background()
	c, err := s.Customer(ctx, "0021") // leading zeros kept; "AB-Group" normalised
	if err != nil || c.Tier != TierABGroup || c.Name != "Harbour Logistics Group, East" {
		t.Fatalf("customer %+v, %v", c, err)
	}
	lines, _ := s.LinesOfCustomer(ctx, "0021")
	if len(lines) != 1 || lines[0].CircuitID != "00017" || lines[0].ZEnd != "pop-west" || *lines[0].Thresholds.RTTMs != 20 {
		t.Fatalf("lines %+v", lines)
	}
	site, _ := s.Site(ctx, "S-C200")
	if site.Lat != nil || site.GridCell != "wtw3sm0" {
		t.Errorf("site given a grid cell but no coordinates: %+v", site)
	}
	path2, _ := s.ElementPath(ctx, "pe9-c1-p1")
	if ids(path2) != "pop-west pe9 pe9-c1 pe9-c1-p1" {
		t.Errorf("path %s", ids(path2))
	}
}

func TestReimportIsIdempotent(t *testing.T) {
	s, _ := newStore(t)
	mustImport(t, s, "testdata/demo.yaml")
	again := mustImport(t, s, "testdata/demo.yaml")
	if again.Changed() != 0 || again[KindLines].Unchanged != 7 || again[KindSites].Unchanged != 7 {
		t.Fatalf("re-import changed rows: %v", again)
	}

	// Edit one line's SLA and one customer's tier: exactly those update.
	data, _ := os.ReadFile("testdata/demo.yaml")
	edited := strings.Replace(string(data), "upstream_element: pe1-c2-p2, sla_availability_pct: 99.5", "upstream_element: pe1-c2-p2, sla_availability_pct: 99.6", 1)
	edited = strings.Replace(edited, "tier: standard", "tier: silver", 1)
	file := filepath.Join(t.TempDir(), "demo.yaml")
	os.WriteFile(file, []byte(edited), 0o644)
	c := mustImport(t, s, file)
	if c[KindLines] != (Tally{Updated: 1, Unchanged: 6}) || c[KindCustomers] != (Tally{Updated: 1, Unchanged: 4}) {
		t.Fatalf("edit: %v", c)
	}
	if l, _ := s.Line(context.Background(), "DL-0202"); *l.SLAAvailabilityPct != 99.6 {
		t.Errorf("not updated: %+v", l)
	}
}

func TestReimportCSVIsIdempotent(t *testing.T) {
	s, _ := newStore(t)
	files := genCSV(t, t.TempDir(), 2000)
	for _, f := range files {
		mustImport(t, s, f)
	}
	for _, f := range files {
		if c := mustImport(t, s, f); c.Changed() != 0 {
			t.Errorf("%s: %v", f, c)
		}
	}
}

func TestRejectedFileWritesNothing(t *testing.T) {
	s, path := newStore(t)
	err := ImportCommand(context.Background(), path, []string{"testdata/invalid/missing-customer.yaml"}, &bytes.Buffer{})
	if err == nil {
		t.Fatal("accepted")
	}
	var errs *Errors
	if !asErrors(err, &errs) || errs.Total != 1 {
		t.Fatalf("%T %v", err, err)
	}
	// C1 was valid, but the file goes in whole or not at all.
	if _, err := s.Customer(context.Background(), "C1"); err == nil {
		t.Fatal("customer C1 from a rejected file was written")
	}
}

func TestParseErrorsStopEveryFile(t *testing.T) {
	s, path := newStore(t)
	err := ImportCommand(context.Background(), path, []string{"testdata/demo.yaml", "testdata/invalid/bad-tier.yaml"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("%v", err)
	}
	if _, err := s.Customer(context.Background(), "C100"); err == nil {
		t.Fatal("demo.yaml was written though another file did not parse")
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	s, _ := newStore(t)
	set, err := ParseFile("testdata/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Import(context.Background(), set, ImportOptions{DryRun: true})
	if err != nil || c[KindLines].Created != 7 {
		t.Fatalf("%v %v", c, err)
	}
	if lines, _ := s.Lines(context.Background(), Page{}); len(lines) != 0 {
		t.Fatalf("dry run wrote %d lines", len(lines))
	}
}

func TestProgress(t *testing.T) {
	s, _ := newStore(t)
	files := genCSV(t, t.TempDir(), 12000)
	mustImport(t, s, files[0])
	mustImport(t, s, files[1])
	set, err := ParseFile(files[2])
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	_, err = s.Import(context.Background(), set, ImportOptions{ProgressEvery: 5000, ProgressInterval: 1 << 62,
		Progress: func(p Progress) {
			if p.Total != 12000 {
				t.Errorf("total %d", p.Total)
			}
			got = append(got, p.Done)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{5000, 10000, 12000}; !equalInts(got, want) {
		t.Fatalf("progress at %v, want %v", got, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func ids(es []Element) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.ID
	}
	return strings.Join(s, " ")
}
