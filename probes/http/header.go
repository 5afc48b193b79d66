package http

// validHeaderName and validHeaderValue are the checks net/http applies
// before it sends a header (RFC 9110 token; no control byte but tab).
// They are here rather than imported from golang.org/x/net/http/httpguts
// because that module's copy brings its own idna and Unicode tables into
// the agent, about 65 kB on a MIPS box, next to the copy net/http vendors.

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return false
		}
	}
	return true
}

func isTokenByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	switch b {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if (b < ' ' && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}
