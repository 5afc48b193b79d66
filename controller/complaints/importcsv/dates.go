package importcsv

import (
	"fmt"
	"strings"
	"time"
)

// DefaultDateFormats are the formats tried when a mapping gives none, in
// the mapping file's notation: YYYY year, MM month, DD day (one or two
// digits each), HH hour (0–23), mm minutes, ss seconds.
var DefaultDateFormats = []string{
	"YYYY-MM-DD HH:mm:ss", "YYYY-MM-DD HH:mm",
	"YYYY/MM/DD HH:mm:ss", "YYYY/MM/DD HH:mm",
	"YYYY年MM月DD日 HH:mm:ss", "YYYY年MM月DD日 HH:mm",
	"YYYY年MM月DD日 HH时mm分ss秒", "YYYY年MM月DD日 HH时mm分",
}

var dateTokens = []struct{ token, layout string }{
	{"YYYY", "2006"}, {"MM", "1"}, {"DD", "2"}, {"HH", "15"}, {"mm", "04"}, {"ss", "05"},
}

// layoutOf turns a mapping date format into a Go time layout. Letters and
// digits outside the tokens are refused: Go would read some of them as
// layout elements ("1", "Jan", "PM") and parse nonsense.
func layoutOf(format string) (string, error) {
	var b strings.Builder
	seen := map[string]bool{}
	for i := 0; i < len(format); {
		matched := false
		for _, t := range dateTokens {
			if strings.HasPrefix(format[i:], t.token) {
				if seen[t.token] {
					return "", fmt.Errorf("%q has %s twice", format, t.token)
				}
				seen[t.token] = true
				b.WriteString(t.layout)
				i += len(t.token)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		c := format[i]
		if c < 0x80 && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", fmt.Errorf("%q: %q is not one of YYYY MM DD HH mm ss", format, string(c))
		}
		b.WriteByte(c)
		i++
	}
	for _, need := range []string{"YYYY", "MM", "DD", "HH", "mm"} {
		if !seen[need] {
			return "", fmt.Errorf("%q has no %s", format, need)
		}
	}
	return b.String(), nil
}

// dateParser parses a cell with the mapping's formats; naive times are in
// loc. RFC 3339 with its offset ("2026-11-20T08:00:00+08:00") is always
// accepted too.
type dateParser struct {
	formats []string // as the mapping writes them, for messages
	layouts []string
	loc     *time.Location
}

func (p *dateParser) parse(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	var impossible error
	for _, l := range p.layouts {
		t, err := time.ParseInLocation(l, s, p.loc)
		if err == nil {
			return t, nil
		}
		if strings.Contains(err.Error(), "out of range") && impossible == nil {
			impossible = err
		}
	}
	if impossible != nil {
		msg := impossible.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return time.Time{}, fmt.Errorf("impossible date %q (%s)", s, msg)
	}
	return time.Time{}, fmt.Errorf("date %q matches none of the date formats (%s)", s, strings.Join(p.formats, ", "))
}
