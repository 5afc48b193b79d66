package inventory

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// MaxErrors caps the errors one rejected file reports: enough to fix a batch
// of rows in one go, not 50,000 lines of the same mistake.
const MaxErrors = 50

// ErrNotFound is returned (wrapped, with the id) by lookups of an unknown id.
var ErrNotFound = errors.New("not found")

// RowError is one problem in an import file, placed so an operator can go
// to it: file:line[:column]: field: message. Column is set for CSV (the
// byte column of the cell); in YAML, Field is the path ("lines[3].customer").
type RowError struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Field  string `json:"field,omitempty"`
	Msg    string `json:"error"`
}

func (e RowError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, in file order. A file with
// errors is rejected whole: nothing from it is written.
type Errors struct {
	// List holds the first MaxErrors problems by position.
	List []RowError
	// Total counts all of them, including those beyond List.
	Total int
}

func (e *Errors) Error() string {
	var b strings.Builder
	for i, re := range e.List {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(re.Error())
	}
	if more := e.Total - len(e.List); more > 0 {
		fmt.Fprintf(&b, "\n(and %d more errors)", more)
	}
	return b.String()
}

// collector gathers errors while a file is parsed and checked; all are kept
// until done sorts them, so the cap keeps the first by position, not the
// first found.
type collector struct{ list []RowError }

func (c *collector) add(e RowError) { c.list = append(c.list, e) }

func (c *collector) addf(file string, line, col int, field, format string, args ...any) {
	c.add(RowError{File: file, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (c *collector) empty() bool { return len(c.list) == 0 }

// err returns nil, or *Errors sorted by position and capped at MaxErrors.
func (c *collector) err() error {
	if len(c.list) == 0 {
		return nil
	}
	sort.SliceStable(c.list, func(i, j int) bool {
		a, b := c.list[i], c.list[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	e := &Errors{List: c.list, Total: len(c.list)}
	if len(e.List) > MaxErrors {
		e.List = e.List[:MaxErrors:MaxErrors]
	}
	return e
}
