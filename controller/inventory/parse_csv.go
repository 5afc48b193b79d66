package inventory

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vantage-net/vantage/internal/csvsafe"
)

// ParseCSV reads one kind of inventory row from a CSV file whose header
// names the columns. The first column names the kind:
//
//	customer_id → customers   element_id → elements   site_id → sites
//	contact_id  → contacts    circuit_id → lines
//
// The other columns are the same fields as in YAML, in any order; missing
// optional columns and empty cells are unset. Problems come back together
// (*Errors) as file:line:column: field: message, the column being the byte
// column of the cell as encoding/csv reports it.
func ParseCSV(file string, data []byte) (*Set, error) {
	return parseCSV(file, bytes.NewReader(data))
}

// parseCSV parses as it reads: the file is never held whole, only the
// typed rows and where they came from (ParseFileLimit).
func parseCSV(file string, in io.Reader) (*Set, error) {
	c := &collector{}
	b := newBuilder(file, c)
	br := bufio.NewReaderSize(in, 64<<10)
	// Spreadsheet exports start with a byte-order mark; it is not part of
	// the first header name.
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true // the cells' strings are kept, never the row's slice
	notUTF8 := func(row []string) bool {
		for i, v := range row {
			if !utf8.ValidString(v) {
				line, _ := cr.FieldPos(i)
				c.addf(file, line, 0, "", "is not UTF-8 text (a GBK export? convert it first: iconv -f GBK -t UTF-8)")
				return true
			}
		}
		return false
	}
	header, err := cr.Read()
	if err == io.EOF {
		c.addf(file, 0, 0, "", "file is empty")
		return nil, c.err()
	}
	if errors.Is(err, ErrTooLarge) {
		return nil, err
	}
	if err != nil {
		c.add(csvError(file, err))
		return nil, c.err()
	}
	if notUTF8(header) {
		return nil, c.err()
	}
	sp, cols := csvHeader(c, file, cr, header)
	if sp == nil {
		return nil, c.err()
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrTooLarge) {
			return nil, err
		}
		if errors.Is(err, csv.ErrFieldCount) {
			line, _ := cr.FieldPos(0)
			c.addf(file, line, 0, "", "row has %d fields, the header has %d", len(row), len(cols))
			continue // the next row is still well placed
		}
		if err != nil {
			c.add(csvError(file, err))
			break // after a quoting error, positions can no longer be trusted
		}
		if notUTF8(row) {
			break
		}
		line, _ := cr.FieldPos(0)
		r := &record{kind: sp.kind, file: file, line: line, cells: map[string]cell{}}
		blank := true
		for i, v := range row {
			// An export (ExportCSV) wrote a formula-like cell with an
			// apostrophe in front; take it off.
			v = csvsafe.Unescape(strings.TrimSpace(v))
			if v == "" || cols[i] == "" {
				continue
			}
			blank = false
			l, col := cr.FieldPos(i)
			r.cells[cols[i]] = cell{value: v, line: l, col: col}
		}
		if !blank { // ",,,," rows trail many spreadsheet exports
			b.add(r)
		}
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return b.set, nil
}

// csvHeader finds the kind from the first column and maps each column to a
// field ("" for a column already reported as bad).
func csvHeader(c *collector, file string, cr *csv.Reader, header []string) (*spec, []string) {
	cols := make([]string, len(header))
	for i, h := range header {
		cols[i] = strings.ToLower(strings.TrimSpace(h))
	}
	var sp *spec
	for _, s := range specs {
		if cols[0] == s.csvKey {
			sp = s
		}
	}
	if sp == nil {
		var keys []string
		for _, s := range specs {
			keys = append(keys, s.csvKey+" ("+string(s.kind)+")")
		}
		c.addf(file, 1, 1, bounded(cols[0]), "first column must name the kind: %s", strings.Join(keys, ", "))
		return nil, nil
	}
	cols[0] = sp.fields[0]
	seen := map[string]bool{}
	for i, name := range cols {
		_, col := cr.FieldPos(i)
		switch {
		case i > 0 && (!sp.has(name) || name == sp.fields[0]):
			c.addf(file, 1, col, bounded(name), "unknown column for %s (want %s)", sp.kind, strings.Join(sp.fields[1:], ", "))
			cols[i] = ""
		case seen[name]:
			c.addf(file, 1, col, bounded(name), "column appears twice")
			cols[i] = ""
		}
		seen[name] = true
	}
	for _, f := range sp.required {
		if !seen[f] {
			c.addf(file, 1, 0, f, "required column is missing")
		}
	}
	if !c.empty() {
		return nil, nil
	}
	return sp, cols
}

// csvError places an encoding/csv error at its line and column.
func csvError(file string, err error) RowError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return RowError{File: file, Line: pe.Line, Column: pe.Column, Msg: pe.Err.Error()}
	}
	return RowError{File: file, Msg: err.Error()}
}
