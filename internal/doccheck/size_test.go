package doccheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// maxTrackedBytes bounds any one file in the repository. The largest kept
// on purpose are screenshots and the report page image (under 100 kB); a
// file of megabytes is a build output committed by mistake (twice this
// session: a stray controller test binary and vantage-demo at the root).
const maxTrackedBytes = 1 << 20

func TestNoLargeFilesTracked(t *testing.T) {
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout (%v): nothing to check", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		fi, err := os.Stat(filepath.Join(root, name))
		if err != nil {
			continue // deleted in the work tree
		}
		if fi.Size() > maxTrackedBytes {
			t.Errorf("%s is %d bytes, over %d: a build output? (add it to .gitignore)", name, fi.Size(), maxTrackedBytes)
		}
	}
}
