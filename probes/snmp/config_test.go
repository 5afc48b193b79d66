package snmp

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current messages")

func decodeFile(t *testing.T, path string) (*Options, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		t.Fatal(err)
	}
	return DecodeOptions(filepath.Base(path), node.Content[0])
}

// TestInvalidOptions maps each testdata/invalid-*.yaml to its exact messages
// in the .golden file next to it (go test -run TestInvalidOptions -update).
func TestInvalidOptions(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid-*.yaml")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := decodeFile(t, f)
			if err == nil {
				t.Fatal("accepted")
			}
			got := err.Error() + "\n"
			for _, secret := range []string{"s3cret", "leaked-community"} {
				if strings.Contains(got, secret) {
					t.Fatalf("message quotes a credential: %s", got)
				}
			}
			golden := strings.TrimSuffix(f, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Fatalf("messages differ\n got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestValidExamples(t *testing.T) {
	o, err := decodeFile(t, "testdata/valid-hotspot.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if o.MaxParallel != defaultMaxParallel || len(o.Scalars) != 3 || o.Devices["198.18.7.9:161"].V3.User != "site9" {
		t.Fatalf("decoded %+v", o)
	}
	d := o.Device.merge(o.Devices["198.18.7.9:161"]).withDefaults()
	if d.V3.User != "site9" || *d.Retries != 2 || d.MaxRepetitions != 10 || !d.onlyMapped() || d.Scalars[2].Type != "gauge" || d.Scalars[2].Scale != 1 {
		t.Fatalf("merged %+v", d)
	}
	if o.Scalars[2].Type != "" {
		t.Fatal("defaults leaked into the decoded config")
	}
	if _, err := decodeFile(t, "testdata/valid-cpe.yaml"); err != nil {
		t.Fatal(err)
	}
}

func TestValidateTarget(t *testing.T) {
	for target, ok := range map[string]bool{
		"198.18.0.1": true, "198.18.0.1:1161": true, "[2001:db8::1]:161": true, "2001:db8::1": true,
		"router.example": true, "router.example:161": true, "": false, "198.18.0.1:0": false,
		"198.18.0.1:x": false, "http://x": false,
	} {
		if err := ValidateTarget(target); (err == nil) != ok {
			t.Errorf("ValidateTarget(%q) = %v", target, err)
		}
	}
}
