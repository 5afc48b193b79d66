package doccheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const root = "../.."

// packageDirs lists every folder of the module that holds Go files,
// relative to the module root (testdata and hidden folders excluded, as
// the go tool does).
func packageDirs(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".go") {
			rel, _ := filepath.Rel(root, filepath.Dir(p))
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// layoutFolders returns the folders named in the first column of README's
// layout table (backticked, with a trailing slash).
func layoutFolders(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "\n## Layout\n")
	if i < 0 {
		t.Fatal("README has no ## Layout section")
	}
	s = s[i+len("\n## Layout\n"):]
	if j := strings.Index(s, "\n## "); j >= 0 {
		s = s[:j]
	}
	var out []string
	for _, row := range strings.Split(s, "\n") {
		cells := strings.Split(row, "|")
		if len(cells) < 3 || !strings.HasPrefix(strings.TrimSpace(row), "|") {
			continue
		}
		for _, m := range regexp.MustCompile("`([^`]+)/`").FindAllStringSubmatch(cells[1], -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// TestLayoutTableListsEveryPackage: README's layout table names every Go
// package of the module, and every folder it names exists. Issue 9: the
// table listed 6 of the controller's 14 packages.
func TestLayoutTableListsEveryPackage(t *testing.T) {
	listed := layoutFolders(t)
	if len(listed) == 0 {
		t.Fatal("README's layout table names no folders")
	}
	for _, f := range listed {
		if st, err := os.Stat(filepath.Join(root, f)); err != nil || !st.IsDir() {
			t.Errorf("README's layout table names %s/, which is not a folder of the repository", f)
		}
	}
	for _, p := range packageDirs(t) {
		if p == "." {
			continue
		}
		if !slices.Contains(listed, p) {
			t.Errorf("package %s is missing from README's layout table (one row per package)", p)
		}
	}
}
