// Command benchdoc writes bench runs' figures into docs/BENCHMARKS.md.
//
//	go run ./bench/detect -short | tee .bench/detect.txt
//	go run ./bench/benchdoc .bench/detect.txt            # or - for stdin
//	go run ./bench/benchdoc -doc docs/BENCHMARKS.md -check .bench/*.txt
//
// Each input is a run's saved output; its BENCH-SUMMARY lines (package
// internal/benchdoc) replace, per bench, the block between
// <!-- bench:NAME begin --> and <!-- bench:NAME end --> in -doc. Every
// input is read and every block found before anything is written, so a
// bad input or a missing block leaves the document as it was; the error
// names the file, line and field. -check does all of that and writes
// nothing.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vantage-net/vantage/internal/benchdoc"
)

func main() {
	doc := flag.String("doc", "docs/BENCHMARKS.md", "the document whose bench:NAME blocks to rewrite")
	check := flag.Bool("check", false, "read and check everything, write nothing")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench/benchdoc [-doc FILE] [-check] OUTPUT... (- for stdin)\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*doc, flag.Args(), *check, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "benchdoc: %v\n", err)
		os.Exit(1)
	}
}

// run reads every input, rewrites each summary's block in memory and, unless
// check, replaces the document at once (a temporary file renamed over it).
func run(docPath string, inputs []string, check bool, stdin io.Reader, out io.Writer) error {
	var sums []benchdoc.Summary
	seen := map[string]string{}
	for _, in := range inputs {
		ss, err := parseInput(in, stdin)
		if err != nil {
			return err
		}
		for _, s := range ss {
			if prev, ok := seen[s.Bench]; ok {
				return fmt.Errorf("%s: a second summary for bench:%s (the first came from %s): keep one run per bench", in, s.Bench, prev)
			}
			seen[s.Bench] = in
		}
		sums = append(sums, ss...)
	}
	doc, err := os.ReadFile(docPath)
	if err != nil {
		return err
	}
	for _, s := range sums {
		if doc, err = benchdoc.Rewrite(docPath, doc, s); err != nil {
			return err
		}
	}
	if check {
		fmt.Fprintf(out, "%s: %d block(s) would be rewritten (-check: nothing written)\n", docPath, len(sums))
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(docPath), ".benchdoc-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(doc); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if fi, err := os.Stat(docPath); err == nil {
		_ = os.Chmod(tmp.Name(), fi.Mode().Perm())
	}
	if err := os.Rename(tmp.Name(), docPath); err != nil {
		return err
	}
	for _, s := range sums {
		fmt.Fprintf(out, "%s: bench:%s block rewritten (%d figures, %s)\n", docPath, s.Bench, len(s.Figures), s.Date.Format("2006-01-02 15:04 UTC"))
	}
	return nil
}

func parseInput(name string, stdin io.Reader) ([]benchdoc.Summary, error) {
	if name == "-" {
		return benchdoc.Parse("stdin", stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return benchdoc.Parse(name, f)
}
