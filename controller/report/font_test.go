package report

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// covers reports whether font's cmap (format 4 or 12, Unicode) maps r to a
// glyph other than .notdef.
func covers(t *testing.T, font []byte, r rune) bool {
	t.Helper()
	u16 := func(o int) int { return int(binary.BigEndian.Uint16(font[o:])) }
	u32 := func(o int) int { return int(binary.BigEndian.Uint32(font[o:])) }
	tables := u16(4)
	cmap := -1
	for i := range tables {
		if string(font[12+16*i:16+16*i]) == "cmap" {
			cmap = u32(12 + 16*i + 8)
		}
	}
	if cmap < 0 {
		t.Fatal("font has no cmap")
	}
	best, format := -1, 0
	for i := range u16(cmap + 2) {
		rec := cmap + 4 + 8*i
		sub := cmap + u32(rec+4)
		if f := u16(sub); (f == 12 || (f == 4 && format != 12)) && (u16(rec) == 3 || u16(rec) == 0) {
			best, format = sub, f
		}
	}
	if format == 12 {
		for g := range u32(best + 12) {
			o := best + 16 + 12*g
			if int(r) >= u32(o) && int(r) <= u32(o+4) {
				return u32(o+8)+int(r)-u32(o) != 0
			}
		}
		return false
	}
	if best < 0 || r > 0xFFFF {
		return false
	}
	seg := u16(best+6) / 2
	ends, starts := best+14, best+16+2*seg
	deltas, ranges := starts+2*seg, starts+4*seg
	for i := range seg {
		if int(r) <= u16(ends+2*i) {
			if int(r) < u16(starts+2*i) {
				return false
			}
			ro := u16(ranges + 2*i)
			if ro == 0 {
				return (int(r)+u16(deltas+2*i))&0xFFFF != 0
			}
			g := u16(ranges + 2*i + ro + 2*(int(r)-u16(starts+2*i)))
			return g != 0
		}
	}
	return false
}

// The default font draws every character a report prints: its labels and
// definitions in both languages, digits, Latin and the symbols used. A
// CJK-only font (Droid Sans Fallback) would print digits as boxes, which
// pdftotext does not see.
func TestDefaultFontCoversReportText(t *testing.T) {
	f := Fonts{}
	if err := f.Load(); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, m := range labels {
		for _, v := range m {
			all.WriteString(v)
		}
	}
	for _, d := range defs {
		all.WriteString(d.zh + d.zhDef + d.en + d.enDef + d.unit)
	}
	for r := rune(0x20); r < 0x7F; r++ {
		all.WriteRune(r)
	}
	all.WriteString("–→✔—·")
	missing := map[rune]bool{}
	for _, r := range all.String() {
		if r != ' ' && !covers(t, f.data, r) {
			missing[r] = true
		}
	}
	if len(missing) > 0 {
		var s []string
		for r := range missing {
			s = append(s, string(r))
		}
		t.Errorf("%s lacks glyphs for %q", f.Path, s)
	}
}

// A collection's font comes out as a .ttf fpdf embeds; a bad index or a
// truncated collection is an error, not a panic.
func TestFontFromCollection(t *testing.T) {
	f := Fonts{}
	if err := f.Load(); err != nil {
		t.Fatal(err)
	}
	if string(f.data[:4]) == "ttcf" {
		t.Fatal("collection not extracted")
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("x", "", f.data)
	p.AddPage()
	p.SetFont("x", "", 12)
	p.Cell(0, 10, "客户 0123 abc")
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	ttc := []byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x02\x00\x00\x00\x14\x00\x00\x00\x14")
	if _, err := fromCollection(ttc, 2); err == nil {
		t.Error("index 2 of 2: no error")
	}
	if _, err := fromCollection(ttc, 0); err == nil {
		t.Error("truncated collection: no error")
	}
}
