package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/benchdoc"
)

func runOutput(t *testing.T, dir, name string, s benchdoc.Summary) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("the bench's own report\n")
	if err := benchdoc.Emit(&b, s); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func summary(bench string) benchdoc.Summary {
	return benchdoc.Summary{Bench: bench, Command: "go run ./bench/" + bench, Date: time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC),
		Machine: benchdoc.Machine{Cores: 2, MemoryBytes: 4 << 30, CPU: "test CPU"},
		Figures: []benchdoc.Figure{{Name: "x", Value: 1, Unit: "s", Reference: "y", RefValue: benchdoc.Ref(2)}}}
}

// TestRunRewritesEveryBlockOrNothing: two runs' blocks are rewritten in
// one go; with one bad input (a bench whose block the document lacks) the
// document is left byte for byte as it was, and -check never writes.
func TestRunRewritesEveryBlockOrNothing(t *testing.T) {
	dir := t.TempDir()
	docPath := filepath.Join(dir, "BENCHMARKS.md")
	orig := "# B\n<!-- bench:a begin -->\n<!-- bench:a end -->\nmiddle\n<!-- bench:b begin -->\nold\n<!-- bench:b end -->\ntail\n"
	if err := os.WriteFile(docPath, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	a, b, c := runOutput(t, dir, "a.txt", summary("a")), runOutput(t, dir, "b.txt", summary("b")), runOutput(t, dir, "c.txt", summary("c"))

	var out bytes.Buffer
	err := run(docPath, []string{a, b, c}, false, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "no <!-- bench:c begin --> line") {
		t.Fatalf("err %v, want bench:c's block missing", err)
	}
	if got, _ := os.ReadFile(docPath); string(got) != orig {
		t.Fatalf("document changed by a failed run:\n%s", got)
	}
	if err := run(docPath, []string{a, b}, true, nil, &out); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(docPath); string(got) != orig {
		t.Fatal("-check wrote the document")
	}
	if err := run(docPath, []string{a, b}, false, nil, &out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(docPath)
	want := "# B\n" + benchdoc.Render(summary("a")) + "middle\n" + benchdoc.Render(summary("b")) + "tail\n"
	if string(got) != want {
		t.Fatalf("document:\n%s\nwant:\n%s", got, want)
	}
	if err := run(docPath, []string{a, a}, true, nil, &out); err == nil || !strings.Contains(err.Error(), "a second summary for bench:a") {
		t.Fatalf("the same bench twice: err %v", err)
	}
}
