package yamlstrict

import (
	"strings"
	"testing"
	"time"
)

type inner struct {
	Count int           `yaml:"count"`
	Every time.Duration `yaml:"every"`
}

type outer struct {
	Name  string           `yaml:"name"`
	Items []inner          `yaml:"items"`
	ByKey map[string]inner `yaml:"by_key"`
}

func TestDecodeReportsAllProblemsWithLines(t *testing.T) {
	in := `name: x
colour: red
items:
  - count: 1
    every: 1s
  - count: two
    speed: 3
by_key:
  a:
    every: 5x
`
	var o outer
	err := Decode("agent.yaml", []byte(in), &o)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"agent.yaml:2: colour: unknown key",
		"agent.yaml:7: items[1].speed: unknown key",
		"agent.yaml:6: cannot unmarshal !!str `two` into int",
		"agent.yaml:10: ",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestDecodeGood(t *testing.T) {
	var o outer
	if err := Decode("f", []byte("name: a\nitems: [{count: 2, every: 3s}]\n"), &o); err != nil {
		t.Fatal(err)
	}
	if o.Items[0].Every != 3*time.Second {
		t.Fatalf("%+v", o)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("name: a\nitems: [{count: 2, every: 3s}]\n"))
	f.Add([]byte("by_key: {a: {count: *x}}"))
	f.Add([]byte("- [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var o outer
		_ = Decode("f", data, &o)
	})
}
