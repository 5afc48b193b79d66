package inventory

import (
	"os"
	"strings"
	"testing"
)

// Regression test (issue 10, "what already held"): an alias bomb in an
// inventory file is refused; records are flat, so it is never expanded.
func TestAliasBombRefused(t *testing.T) {
	doc := aliasBomb(t) + "lines: [*i, *i, *i, *i, *i, *i, *i, *i, *i]\n"
	_, err := ParseYAML("bomb.yaml", []byte(doc))
	if err == nil || !strings.Contains(err.Error(), "bomb.yaml:") {
		t.Fatalf("alias bomb: err = %v, want a refusal naming the file", err)
	}
}

// aliasBomb reads the shared alias-bomb file.
func aliasBomb(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../internal/yamlstrict/testdata/alias-bomb.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
