package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// checkUIHeaders logs in over plain HTTP (no browser) and checks what the
// browser test cannot see: the security headers, and the session cookie's
// flags (HttpOnly, Secure, SameSite=Strict).
func checkUIHeaders(t *testing.T, ui, token string) {
	t.Helper()
	page, body, resp := uiLoginExchange(t, ui, token)
	csp := page.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("login page CSP %q", csp)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
		t.Errorf("login page has inline script or style")
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "vantage_session" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.HttpOnly || !session.Secure || session.SameSite != http.SameSiteStrictMode {
		t.Errorf("login answered %d with session cookie %+v, want 303 and HttpOnly, Secure, SameSite=Strict", resp.StatusCode, session)
	}
}
