package result

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendBatch writes b exactly as encoding/json would (TestEncodeMatchesJSON),
// without its reflection and per-map key sorting allocations: the agent
// encodes every result it produces, 20,000 a second at full load. It
// reports false for what only encoding/json can say (a NaN or infinite
// field, a year outside 0–9999, a sub-minute zone offset), which Encode
// then hands to encoding/json for its result or error.
func appendBatch(dst []byte, b *Batch) ([]byte, bool) {
	dst = append(dst, `{"agent":`...)
	dst = appendString(dst, b.Agent)
	dst = append(dst, `,"results":`...)
	if b.Results == nil {
		return append(dst, "null}"...), true
	}
	dst = append(dst, '[')
	for i := range b.Results {
		if i > 0 {
			dst = append(dst, ',')
		}
		var ok bool
		if dst, ok = appendResult(dst, &b.Results[i]); !ok {
			return dst, false
		}
	}
	return append(dst, "]}"...), true
}

func appendResult(dst []byte, r *Result) ([]byte, bool) {
	_, off := r.Time.Zone()
	if y := r.Time.Year(); y < 0 || y > 9999 || off%60 != 0 {
		return dst, false
	}
	dst = append(dst, `{"t":"`...)
	dst = r.Time.AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","m":`...)
	dst = appendString(dst, r.Measurement)
	if r.Probe != "" {
		dst = append(dst, `,"p":`...)
		dst = appendString(dst, r.Probe)
	}
	if len(r.Tags) > 0 {
		dst = appendStrings(append(dst, `,"tags":`...), r.Tags)
	}
	if len(r.Fields) > 0 {
		dst = append(dst, `,"f":{`...)
		for i, k := range sortedKeys(r.Fields) {
			v := r.Fields[k]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return dst, false
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(appendString(dst, k), ':')
			dst = appendFloat(dst, v)
		}
		dst = append(dst, '}')
	}
	if r.Error != "" {
		dst = append(dst, `,"err":`...)
		dst = appendString(dst, r.Error)
	}
	if len(r.Text) > 0 {
		dst = appendStrings(append(dst, `,"s":`...), r.Text)
	}
	if r.Detail != "" {
		dst = append(dst, `,"detail":`...)
		dst = appendString(dst, r.Detail)
	}
	return append(dst, '}'), true
}

func appendStrings(dst []byte, m map[string]string) []byte {
	dst = append(dst, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(appendString(dst, k), ':')
		dst = appendString(dst, m[k])
	}
	return append(dst, '}')
}

// sortedKeys returns m's keys in encoding/json's order; maps here hold a
// handful of keys, so an insertion sort on the stack beats sort.Strings.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, 8)
	for k := range m {
		i := len(keys)
		keys = append(keys, k)
		for ; i > 0 && keys[i-1] > k; i-- {
			keys[i] = keys[i-1]
		}
		keys[i] = k
	}
	return keys
}

// appendFloat is encoding/json's float64 format.
func appendFloat(dst []byte, f float64) []byte {
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendString is encoding/json's string escaping with HTML escaping on
// (its default): <, > and & as \u00XX, invalid UTF-8 as \ufffd, U+2028
// and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
