package result

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on text an agent sends the controller outside results: the
// version in its heartbeat, the error of a config status. Agents are
// untrusted edge boxes; their text is cut and cleaned before the
// controller logs, stores or serves it (CleanText).
const (
	// MaxVersionBytes bounds Heartbeat.Version.
	MaxVersionBytes = 256
	// MaxSiteBytes bounds Heartbeat.Site, a tag of the agent measurement.
	MaxSiteBytes = 256
	// MaxErrorBytes bounds a config status's error text.
	MaxErrorBytes = 1024
)

// CleanText makes agent text safe to log, store and serve: invalid UTF-8
// becomes U+FFFD, control characters become spaces (newlines stay when
// multiline is set: a config error lists one problem per line), and text
// longer than max bytes is cut at a character boundary with
// "…(N bytes cut)" appended, so the reader knows. The result is at most
// max + 24 bytes.
func CleanText(s string, max int, multiline bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= utf8.RuneSelf {
			clean = false
			break
		}
	}
	if clean && len(s) <= max {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), max))
	valid := strings.ToValidUTF8(s, "\uFFFD")
	for i, r := range valid {
		if b.Len()+utf8.RuneLen(r) > max {
			cut := len(valid) - i
			b.WriteString("…(" + strconv.Itoa(cut) + " bytes cut)")
			break
		}
		switch {
		case r == '\n' && multiline:
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029':
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}
