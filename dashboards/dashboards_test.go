package dashboards

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/vantage-net/vantage/probes/result"
)

var (
	measRe  = regexp.MustCompile(`r\._measurement == "([a-z_]+)"`)
	fieldRe = regexp.MustCompile(`r\._field == "([a-z_]+)"`)
)

type dashboard struct {
	Title  string `json:"title"`
	UID    string `json:"uid"`
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			Query string `json:"query"`
		} `json:"targets"`
	} `json:"panels"`
}

func TestDashboardsUseContractNames(t *testing.T) {
	files, _ := filepath.Glob("*.json")
	if len(files) == 0 {
		t.Fatal("no dashboards")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
			t.Fatalf("%s: needs a uid, a title and panels", f)
		}
		for _, p := range d.Panels {
			for _, q := range p.Targets {
				ms := measRe.FindAllStringSubmatch(q.Query, -1)
				if len(ms) != 1 {
					t.Errorf("%s: panel %q: want exactly one measurement filter", f, p.Title)
					continue
				}
				schema, ok := result.Schemas[ms[0][1]]
				if !ok {
					t.Errorf("%s: panel %q: measurement %q is not in probes/result", f, p.Title, ms[0][1])
					continue
				}
				for _, fm := range fieldRe.FindAllStringSubmatch(q.Query, -1) {
					if _, ok := schema.Fields[fm[1]]; !ok {
						t.Errorf("%s: panel %q: field %q is not a field of %q", f, p.Title, fm[1], ms[0][1])
					}
				}
			}
		}
	}
}
