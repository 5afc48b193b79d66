package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/internal/testinflux"
)

// The README's examples run as printed: these read them for the tests
// that run them through the shipped binaries.

// readme returns the README's text.
func readme(t *testing.T) string {
	t.Helper()
	root, err := testinflux.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// readmeBlockWith returns the README's ```yaml block containing every want.
func readmeBlockWith(t *testing.T, want ...string) string {
	t.Helper()
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(readme(t), -1) {
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(m[1], w)
		}
		if ok {
			return m[1]
		}
	}
	t.Fatalf("README has no yaml block with %q", want)
	return ""
}

// readmeReplaced returns block with each old string of oldNew (pairs:
// old, new) replaced once by its new one: only where the lab differs from
// the README's example. The test fails if the block, named what, no longer
// contains an old string.
func readmeReplaced(t *testing.T, what, block string, oldNew ...string) string {
	t.Helper()
	if len(oldNew)%2 != 0 {
		t.Fatalf("readmeReplaced: %d strings, want old, new pairs", len(oldNew))
	}
	for i := 0; i < len(oldNew); i += 2 {
		if !strings.Contains(block, oldNew[i]) {
			t.Fatalf("README's %s block no longer contains %q:\n%s", what, oldNew[i], block)
		}
		block = strings.Replace(block, oldNew[i], oldNew[i+1], 1)
	}
	return block
}
