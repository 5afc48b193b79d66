package importcsv

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The command lists bad rows and a summary per file, fails with
// ErrBadRows when any row was bad, and reports progress: a line per batch
// for a file over 1 MiB when not on a terminal, a bar when on one.
func TestCommandSummaryAndProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString(chineseHeader)
	n := 0
	for b.Len() < 1<<20+1 {
		fmt.Fprintf(&b, "P-%05d,2026-11-20 08:00,,C1,,,,,,,网速慢,%s\n", n, strings.Repeat("慢", 30))
		n++
	}
	b.WriteString("BAD,2026-13-01 08:00,,C1,,,,,,,网速慢,\n")
	file := writeFile(t, "big.csv", []byte(b.String()))
	mapFile := writeFile(t, "mapping.yaml", []byte(mappingText))
	db := filepath.Join(t.TempDir(), "v.db")
	for _, tty := range []bool{false, true} {
		var out, prog strings.Builder
		err := Command(context.Background(), CommandOptions{DB: db, Files: []string{file}, MapFile: mapFile,
			Location: time.UTC, Out: &out, Progress: &prog, ProgressTTY: tty})
		var bad ErrBadRows
		if !errors.As(err, &bad) || bad.N != 1 {
			t.Fatalf("tty %v: %v", tty, err)
		}
		wantSummary := fmt.Sprintf("%s: utf-8, %d rows: ", file, n+1)
		if !strings.Contains(out.String(), file+":"+fmt.Sprint(n+2)+": column 2 (受理时间): impossible date \"2026-13-01 08:00\" (month out of range)\n") ||
			!strings.Contains(out.String(), wantSummary) {
			t.Errorf("tty %v output:\n%s", tty, out.String())
		}
		switch {
		case !tty && !strings.Contains(prog.String(), fmt.Sprintf("%s: 5000 rows read, ", file)):
			t.Errorf("no progress lines: %q", prog.String())
		case tty && !strings.Contains(prog.String(), "100%"):
			t.Errorf("no progress bar: %q", prog.String())
		}
	}
}
