package dashboards

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestReadmeListsTheDashboards keeps README.md's "Dashboards" table equal
// to the dashboard files, in both directions.
func TestReadmeListsTheDashboards(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n## Dashboards\n")
	if i < 0 {
		t.Fatal(`README.md has no "## Dashboards" section`)
	}
	sec := s[i+1:]
	if j := strings.Index(sec[3:], "\n## "); j >= 0 {
		sec = sec[:j+3]
	}
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(vantage-[a-z0-9-]+\\.json)` \\|").FindAllStringSubmatch(sec, -1) {
		listed = append(listed, m[1])
	}
	files, _ := filepath.Glob("vantage-*.json")
	slices.Sort(listed)
	slices.Sort(files)
	if !slices.Equal(listed, files) {
		t.Errorf("README's Dashboards table lists %v, dashboards/ holds %v", listed, files)
	}
}
