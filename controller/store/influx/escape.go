package influx

import (
	"math"
	"time"
	"unicode/utf8"
)

// Line-protocol escaping, as InfluxDB's parser and
// github.com/influxdata/line-protocol/v2 define it: each listed byte gets
// a backslash; in string fields newline, CR and tab become \n, \r, \t.
var (
	measurementEscapes = escapes(" ,", "")
	keyEscapes         = escapes(",= ", "")
	tagValueEscapes    = escapes(", =", "")
	stringFieldEscapes = escapes("\\\"\n\r\t", "\\\"nrt")
)

// The timestamps line protocol can carry: nanoseconds in an int64.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// escapeTable maps a byte to the character written after its backslash,
// or 0 if it is written as is.
type escapeTable [256]byte

func escapes(chars, as string) *escapeTable {
	var t escapeTable
	for i := 0; i < len(chars); i++ {
		t[chars[i]] = chars[i]
		if as != "" {
			t[chars[i]] = as[i]
		}
	}
	return &t
}

func appendEscaped(buf []byte, s string, t *escapeTable) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if e := t[c]; e != 0 {
			buf = append(buf, '\\', e)
			continue
		}
		buf = append(buf, c)
	}
	return buf
}

func escape(s string, t *escapeTable) string {
	return string(appendEscaped(nil, s, t))
}

// validTagValue is the line-protocol encoder's rule: valid UTF-8, no
// control characters, and no trailing backslash (it would escape the
// separator after it and cannot be read back).
func validTagValue(s string) bool {
	if s == "" || s[len(s)-1] == '\\' {
		return false
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return false
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	return ascii || utf8.ValidString(s)
}
