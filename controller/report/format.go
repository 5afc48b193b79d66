package report

import (
	"fmt"
	"io"
	"strconv"
	"time"
)

// Formats a report renders to.
var Formats = []string{"html", "pdf", "csv", "json"}

// Render writes r in format (html, pdf, csv or json). pdf needs a font
// with CJK glyphs (Fonts).
func Render(w io.Writer, r *Report, format string, loc *time.Location, fonts Fonts) error {
	switch format {
	case "json":
		return JSON(w, r)
	case "csv":
		return CSV(w, r, loc)
	case "html":
		return HTML(w, r, loc)
	case "pdf":
		return PDF(w, r, loc, fonts)
	}
	return fmt.Errorf("report: format %q is not one of html, pdf, csv, json", format)
}

// ContentType is format's media type.
func ContentType(format string) string {
	switch format {
	case "json":
		return "application/json"
	case "csv":
		return "text/csv; charset=utf-8"
	case "html":
		return "text/html; charset=utf-8"
	}
	return "application/pdf"
}

func clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04:05")
}

func pct(v float64) string  { return strconv.FormatFloat(v, 'f', 4, 64) }
func mins(s float64) string { return strconv.FormatFloat(s/60, 'f', 1, 64) }
func num(v float64) string  { return strconv.FormatFloat(v, 'f', -1, 64) }
