package notify

import (
	"net/http/httptest"
	"testing"

	"github.com/vantage-net/vantage/controller/apiauth"
)

// An acknowledgement through the API is recorded as the token's name (the
// web UI's included), not as whatever the body says; without tokens the
// body's "by" or "api".
func TestAckerIsTheTokensName(t *testing.T) {
	r := httptest.NewRequest("POST", "/api/v1/incidents/1/ack", nil)
	rp := r.WithContext(apiauth.WithPrincipal(r.Context(), apiauth.Principal{Name: "ops-ann", Role: apiauth.Ops}))
	for _, c := range []struct {
		name, by, want string
		tokens         bool
	}{
		{"token, no by", "", "ops-ann", true},
		{"token, same by", "ops-ann", "ops-ann", true},
		{"token, other by", "ui", "ops-ann (on behalf of ui)", true},
		{"no tokens, by", "bob", "bob", false},
		{"no tokens, no by", "", "api", false},
	} {
		req := r
		if c.tokens {
			req = rp
		}
		if got := acker(req, c.by); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
