package config

import (
	"os"
	"testing"
)

// Regression test (issue 10, "what already held"): an alias bomb in the
// controller's config is refused, not expanded.
func TestAliasBombRefused(t *testing.T) {
	if _, err := Parse("bomb.yaml", []byte(aliasBomb(t))); err == nil {
		t.Fatal("alias bomb accepted")
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
