package inventory

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// checkParse is what both fuzz targets require of a parser: no panic, and
// either a set or *Errors whose every message names the file.
func checkParse(t *testing.T, set *Set, err error) {
	if err == nil {
		if set == nil {
			t.Fatal("nil set without error")
		}
		return
	}
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T, not *Errors: %v", err, err)
	}
	if len(errs.List) > MaxErrors || errs.Total < len(errs.List) || len(errs.List) == 0 {
		t.Fatalf("bad error list: %d of %d", len(errs.List), errs.Total)
	}
	for _, e := range errs.List {
		if e.File != "f" || !strings.HasPrefix(e.Error(), "f") {
			t.Fatalf("message without file: %q", e.Error())
		}
	}
}

func FuzzParseYAML(f *testing.F) {
	for _, name := range []string{"testdata/demo.yaml", "testdata/invalid/element-cycle.yaml", "testdata/invalid/bad-tier.yaml"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("lines: &a [*a]\n"))
	f.Add([]byte("customers:\n  - &c {id: 1, name: x, tier: gold}\n  - *c\n"))
	f.Add([]byte("sites: [{id: s, kind: cpe, name: n, lat: .nan, lon: 1e400}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := ParseYAML("f", data)
		checkParse(t, set, err)
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, name := range []string{"testdata/csv/lines.csv", "testdata/csv/sites.csv", "testdata/invalid/wrong-columns.csv"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("element_id,parent,kind\na,b,port\nb,a,card\n"))
	f.Add([]byte("circuit_id,customer\n\"L1,C1\n"))
	f.Add([]byte("\xef\xbb\xbf"))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := ParseCSV("f", data)
		checkParse(t, set, err)
	})
}
