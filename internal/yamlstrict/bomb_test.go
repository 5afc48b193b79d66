package yamlstrict

import (
	"os"
	"strings"
	"testing"
)

type bombTarget struct {
	A []any `yaml:"a"`
	B []any `yaml:"b"`
	C []any `yaml:"c"`
	D []any `yaml:"d"`
	E []any `yaml:"e"`
	F []any `yaml:"f"`
	G []any `yaml:"g"`
	H []any `yaml:"h"`
	I []any `yaml:"i"`
}

func TestAliasBombRefused(t *testing.T) {
	var v bombTarget
	err := Decode("bomb.yaml", []byte(aliasBomb(t)), &v)
	if err == nil || !strings.Contains(err.Error(), "alias") {
		t.Fatalf("alias bomb: err = %v, want a refusal naming aliasing", err)
	}
}

// aliasBomb reads the shared alias-bomb file.
func aliasBomb(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/alias-bomb.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
