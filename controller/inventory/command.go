package inventory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// ParseFile is ParseFileLimit with DefaultMaxBytes.
func ParseFile(path string) (*Set, error) {
	return ParseFileLimit(path, DefaultMaxBytes)
}

// ImportCommand is `vantage-controller inventory import FILE...`: it loads
// the files into the database at dbPath and writes one summary line per file
// (and progress lines for long files) to out.
//
// Every file is parsed before anything is written, so a typo in the last
// file costs no half-done import. Files are then imported in dependency order
// (customers, elements, sites, contacts, lines — so `import *.csv` works
// whatever the names), each in its own transaction: a file with any error is
// rejected whole, files before it stay imported, and the ones after it are
// not attempted. The returned error lists the problems (wrapping *Errors).
func ImportCommand(ctx context.Context, dbPath string, files []string, out io.Writer) error {
	return ImportFiles(ctx, dbPath, files, out, FileOptions{})
}

// FileOptions bound what `inventory import` reads.
type FileOptions struct {
	// MaxBytes is the largest file accepted (0: DefaultMaxBytes).
	MaxBytes int64
}

// ImportFiles is ImportCommand with limits on the files.
func ImportFiles(ctx context.Context, dbPath string, files []string, out io.Writer, fo FileOptions) error {
	if len(files) == 0 {
		return errors.New("inventory import: no files given (want YAML or CSV inventory files)")
	}
	var sets []*Set
	var bad []string
	var firstErr error
	for _, f := range files {
		set, err := ParseFileLimit(f, fo.MaxBytes)
		if err != nil {
			bad = append(bad, err.Error())
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		sets = append(sets, set)
	}
	if len(bad) > 0 {
		return &importError{msg: "inventory import: nothing was written; fix these first:\n" + strings.Join(bad, "\n"), err: firstErr}
	}
	slices.SortStableFunc(sets, func(a, b *Set) int { return a.firstKind() - b.firstKind() })

	store, db, err := Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("inventory import: %w", err)
	}
	defer db.Close()
	for i, set := range sets {
		start := time.Now()
		counts, err := store.Import(ctx, set, ImportOptions{Progress: func(p Progress) {
			if p.Done < p.Total {
				fmt.Fprintf(out, "%s: %d of %d rows written\n", p.File, p.Done, p.Total)
			}
		}})
		if err != nil {
			msg := fmt.Sprintf("inventory import: %s rejected, nothing from it was written", set.File)
			if rest := sets[i+1:]; len(rest) > 0 {
				names := make([]string, len(rest))
				for j, s := range rest {
					names[j] = s.File
				}
				msg += " (not attempted: " + strings.Join(names, ", ") + ")"
			}
			return &importError{msg: msg + ":\n" + err.Error(), err: err}
		}
		fmt.Fprintf(out, "%s: %s (%d rows, %s)\n", set.File, counts, set.Len(), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// importError keeps the operator-facing text and the cause for errors.As.
type importError struct {
	msg string
	err error
}

func (e *importError) Error() string { return e.msg }
func (e *importError) Unwrap() error { return e.err }

// firstKind is the write-order index of the first kind the set holds.
func (s *Set) firstKind() int {
	n := []int{len(s.Customers), len(s.Elements), len(s.Sites), len(s.Contacts), len(s.Lines)}
	for i, c := range n {
		if c > 0 {
			return i
		}
	}
	return len(n)
}

// ExportCommand is `vantage-controller inventory export KIND`: it writes
// every row of one kind (customers, elements, sites, contacts, lines) to
// out as CSV that `inventory import` reads back unchanged, with formula-like
// cells neutralised (ExportCSV).
func ExportCommand(ctx context.Context, dbPath string, args []string, out io.Writer) error {
	if len(args) != 1 {
		return errors.New("inventory export: name one kind: customers, elements, sites, contacts or lines")
	}
	kind := Kind(args[0])
	if specOf(kind) == nil {
		return fmt.Errorf("inventory export: unknown kind %q (want customers, elements, sites, contacts or lines)", args[0])
	}
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("inventory export: no database: %w", err)
	}
	store, db, err := Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("inventory export: %w", err)
	}
	defer db.Close()
	if _, err := store.ExportCSV(ctx, kind, out); err != nil {
		return fmt.Errorf("inventory export: %w", err)
	}
	return nil
}
