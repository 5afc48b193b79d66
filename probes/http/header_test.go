package http

import (
	"testing"

	"golang.org/x/net/http/httpguts"
)

// TestHeaderChecksMatchHTTPGuts holds the local checks to the ones net/http
// applies (httpguts) for every byte alone and inside a longer string.
func TestHeaderChecksMatchHTTPGuts(t *testing.T) {
	for b := 0; b < 256; b++ {
		for _, s := range []string{string([]byte{byte(b)}), "X-" + string([]byte{byte(b)}) + "a"} {
			if got, want := validHeaderName(s), httpguts.ValidHeaderFieldName(s); got != want {
				t.Errorf("validHeaderName(%q) = %v, httpguts says %v", s, got, want)
			}
			if got, want := validHeaderValue(s), httpguts.ValidHeaderFieldValue(s); got != want {
				t.Errorf("validHeaderValue(%q) = %v, httpguts says %v", s, got, want)
			}
		}
	}
	if validHeaderName("") != httpguts.ValidHeaderFieldName("") || validHeaderValue("") != httpguts.ValidHeaderFieldValue("") {
		t.Error("empty string: the checks disagree with httpguts")
	}
}
