package importcsv

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vantage-net/vantage/controller/complaints"
)

// RowError is one bad row: where (file, line, column) and why. Line is
// the line the field starts on (a quoted field may span lines); Column is
// the 1-based column number, 0 when the whole row is at fault.
type RowError struct {
	File   string
	Line   int
	Column int
	Header string
	Reason string
}

func (e RowError) Error() string {
	if e.Column == 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	}
	if e.Header == "" {
		return fmt.Sprintf("%s:%d: column %d: %s", e.File, e.Line, e.Column, e.Reason)
	}
	return fmt.Sprintf("%s:%d: column %d (%s): %s", e.File, e.Line, e.Column, e.Header, e.Reason)
}

// Reasons for bad rows beyond those complaints.Intake.Check shares.
const (
	reasonNoCategory = "empty category"
)

// layout is a header resolved against a mapping: the column of each field
// (-1 when the mapping or the header has none).
type layout struct {
	header   []string
	col      map[string]int
	category map[string]complaints.Category
	dates    *dateParser
}

// rowReader turns one CSV record into a complaint or a RowError.
type rowReader struct {
	file string
	lay  *layout
	// pos gives the line a record's field starts on.
	pos func(field int) (line, column int)
	// lastField is the current record's last field index.
	lastField int
}

func (r *rowReader) errAt(col int, format string, args ...any) *RowError {
	line, _ := r.pos(0)
	h := ""
	if col >= 0 {
		if col < len(r.lay.header) {
			h = r.lay.header[col]
		}
		if l, _ := r.pos(min(col, r.lastField)); l > 0 {
			line = l
		}
	}
	return &RowError{File: r.file, Line: line, Column: col + 1, Header: h, Reason: fmt.Sprintf(format, args...)}
}

func (r *rowReader) read(rec []string) (complaints.Intake, *RowError) {
	var in complaints.Intake
	r.lastField = len(rec) - 1
	n, want := len(rec), len(r.lay.header)
	if n < want {
		return in, r.errAt(n, "short row: %d columns, the header has %d", n, want)
	}
	if n > want {
		return in, r.errAt(want, "long row: %d columns, the header has %d", n, want)
	}
	get := func(field string) (string, int) {
		c := r.lay.col[field]
		if c < 0 {
			return "", -1
		}
		return strings.TrimSpace(rec[c]), c
	}
	for _, f := range [][2]string{{"id", ""}, {"customer_id", ""}, {"phone", ""}, {"circuit_id", ""},
		{"customer_name", ""}, {"address", ""}, {"text", ""}} {
		if v, c := get(f[0]); len(v) > complaints.MaxTextBytes {
			return in, r.errAt(c, "longer than %d bytes", complaints.MaxTextBytes)
		}
	}
	var c int
	if in.ID, c = get("id"); in.ID == "" {
		return in, r.errAt(c, complaints.ReasonNoID)
	}
	s, c := get("received_at")
	if s == "" {
		return in, r.errAt(c, complaints.ReasonNoReceived)
	}
	t, err := r.lay.dates.parse(s)
	if err != nil {
		return in, r.errAt(c, "%v", err)
	}
	in.ReceivedAt = t
	if s, c := get("closed_at"); s != "" {
		t, err := r.lay.dates.parse(s)
		if err != nil {
			return in, r.errAt(c, "%v", err)
		}
		if t.Before(in.ReceivedAt) {
			return in, r.errAt(c, complaints.ReasonClosedBefore)
		}
		in.ClosedAt = &t
	}
	latS, latC := get("lat")
	lonS, lonC := get("lon")
	switch {
	case latS == "" && lonS != "":
		return in, r.errAt(latC, "longitude given without latitude")
	case latS != "" && lonS == "":
		return in, r.errAt(lonC, "latitude given without longitude")
	case latS != "":
		lat, err := strconv.ParseFloat(latS, 64)
		if err != nil {
			return in, r.errAt(latC, "latitude %q is not a number", latS)
		}
		if msg := complaints.CheckLat(lat); msg != "" {
			return in, r.errAt(latC, "%s", msg)
		}
		lon, err := strconv.ParseFloat(lonS, 64)
		if err != nil {
			return in, r.errAt(lonC, "longitude %q is not a number", lonS)
		}
		if msg := complaints.CheckLon(lon); msg != "" {
			return in, r.errAt(lonC, "%s", msg)
		}
		in.Lat, in.Lon = &lat, &lon
	}
	s, c = get("category")
	if s == "" {
		return in, r.errAt(c, reasonNoCategory)
	}
	cat, ok := r.lay.category[s]
	if !ok {
		return in, r.errAt(c, "category %q is not in the mapping", s)
	}
	in.Category = cat
	in.CustomerID, _ = get("customer_id")
	in.Phone, _ = get("phone")
	in.CircuitID, _ = get("circuit_id")
	in.CustomerName, _ = get("customer_name")
	in.Address, _ = get("address")
	in.Text, _ = get("text")
	if in.CustomerID == "" && in.Phone == "" && in.CircuitID == "" && in.Lat == nil {
		c := -1
		for _, f := range []string{"customer_id", "phone", "circuit_id", "lat"} {
			if c = r.lay.col[f]; c >= 0 {
				break
			}
		}
		return in, r.errAt(c, complaints.ReasonNoIdentity)
	}
	if err := in.Check(); err != nil {
		// Every check above mirrors Check; this is the safety net.
		return in, r.errAt(-1, "%v", err)
	}
	return in, nil
}
