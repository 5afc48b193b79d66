package dashboards

import (
	"os"
	"regexp"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDashboardStructure checks what Grafana needs to import the files:
// unique uids and titles, a current schemaVersion, panel ids unique per
// dashboard with a place on the grid, and every panel, target and query
// variable bound to the provisioned data source, in raw InfluxQL.
func TestDashboardStructure(t *testing.T) {
	ds, err := loadDashboards()
	if err != nil {
		t.Fatal(err)
	}
	uids, titles := map[string]string{}, map[string]string{}
	for _, d := range ds {
		if d.UID == "" || d.Title == "" || len(d.Panels) == 0 {
			t.Errorf("%s: needs a uid, a title and panels", d.file)
		}
		if prev, dup := uids[d.UID]; dup {
			t.Errorf("%s: uid %q already used by %s", d.file, d.UID, prev)
		}
		if prev, dup := titles[d.Title]; dup {
			t.Errorf("%s: title %q already used by %s", d.file, d.Title, prev)
		}
		uids[d.UID], titles[d.Title] = d.file, d.file
		// 36 is Grafana 9's, from which panels carry datasource {type, uid}.
		if d.SchemaVersion < 36 {
			t.Errorf("%s: schemaVersion %d, want ≥ 36 (datasource references by uid)", d.file, d.SchemaVersion)
		}
		ids := map[int]bool{}
		for _, p := range d.Panels {
			if p.ID == 0 || ids[p.ID] {
				t.Errorf("%s: panel %q: id %d missing or repeated", d.file, p.Title, p.ID)
			}
			ids[p.ID] = true
			if p.GridPos == nil || p.GridPos.W == 0 || p.GridPos.H == 0 {
				t.Errorf("%s: panel %q: no gridPos", d.file, p.Title)
			}
			checkDS(t, d.file, "panel "+p.Title, p.Datasource)
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no queries", d.file, p.Title)
			}
			for _, tg := range p.Targets {
				checkDS(t, d.file, "panel "+p.Title+" target "+tg.RefID, tg.Datasource)
				if !tg.RawQuery || tg.Query == "" {
					t.Errorf("%s: panel %q target %s: want a raw InfluxQL query", d.file, p.Title, tg.RefID)
				}
				if tg.ResultFormat != "time_series" && tg.ResultFormat != "table" {
					t.Errorf("%s: panel %q target %s: resultFormat %q", d.file, p.Title, tg.RefID, tg.ResultFormat)
				}
			}
		}
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				t.Errorf("%s: variable %s: type %q (only query variables on the provisioned source)", d.file, v.Name, v.Type)
			}
			checkDS(t, d.file, "variable "+v.Name, v.Datasource)
		}
	}
}

func checkDS(t *testing.T, file, what string, ds *datasource) {
	t.Helper()
	if ds == nil || ds.Type != "influxdb" || ds.UID != dsUID {
		t.Errorf("%s: %s: datasource %+v, want {influxdb %s} (provisioning/datasources/vantage.yaml)", file, what, ds, dsUID)
	}
}

// TestProvisioning reads the provisioning files as Grafana would: one
// InfluxDB data source in InfluxQL mode with the uid the dashboards use,
// on the database the controller writes; one file provider.
func TestProvisioning(t *testing.T) {
	var src struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name, UID, Type, Access, URL, Database string
			JSONData                               map[string]any `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	readYAML(t, "provisioning/datasources/vantage.yaml", &src)
	if src.APIVersion != 1 || len(src.Datasources) != 1 {
		t.Fatalf("datasources: apiVersion %d, %d sources; want 1 and 1", src.APIVersion, len(src.Datasources))
	}
	s := src.Datasources[0]
	if s.UID != dsUID || s.Type != "influxdb" || s.Database != "vantage" || s.URL == "" || s.Access != "proxy" {
		t.Errorf("datasource %+v: want uid %s, type influxdb, database vantage, access proxy, a url", s, dsUID)
	}
	// Flux mode would send the dashboards' InfluxQL to the Flux endpoint.
	if v, ok := s.JSONData["version"]; ok && v != "InfluxQL" {
		t.Errorf("datasource jsonData.version %v: the dashboards are InfluxQL", v)
	}
	var prov struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name, Type, Folder    string
			DisableDeletion       bool                  `yaml:"disableDeletion"`
			UpdateIntervalSeconds int                   `yaml:"updateIntervalSeconds"`
			AllowUIUpdates        bool                  `yaml:"allowUiUpdates"`
			Options               struct{ Path string } `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "provisioning/dashboards/vantage.yaml", &prov)
	if prov.APIVersion != 1 || len(prov.Providers) != 1 || prov.Providers[0].Type != "file" || prov.Providers[0].Options.Path == "" {
		t.Errorf("dashboard provider %+v: want one file provider with a path", prov)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytesReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

var (
	fromRe  = regexp.MustCompile(`FROM ((?:"[a-z_]+"(?:, )?)+)`)
	identRe = regexp.MustCompile(`"([^"]+)"`)
)

// TestQueriesUseContractNames checks every quoted identifier of every query
// against probes/result's schemas (the measurement contract): measurements
// after FROM, tags and fields of those measurements, or the query's own
// aliases. It catches a wrong name even where the scenario has no data.
func TestQueriesUseContractNames(t *testing.T) {
	ds, err := loadDashboards()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		var qs []string
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				qs = append(qs, tg.Query)
			}
		}
		for _, v := range d.Templating.List {
			qs = append(qs, v.Query)
		}
		for _, q := range qs {
			if err := contractNames(q); err != nil {
				t.Errorf("%s: %v\n%s", d.file, err, q)
			}
		}
	}
}
