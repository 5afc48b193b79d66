package e2e

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// checkUIHeaders logs in over plain HTTP (no browser) and checks what the
// browser test cannot see: the security headers, and the session cookie's
// flags (HttpOnly, Secure, SameSite=Strict).
func checkUIHeaders(t *testing.T, ui, token string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(ui + "login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("login page CSP %q", csp)
	}
	if strings.Contains(string(body), "<script>") || strings.Contains(string(body), " style=") {
		t.Errorf("login page has inline script or style")
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no csrf field on the login page")
	}
	form := url.Values{"csrf": {m[1]}, "token": {token}, "next": {"/ui/"}}
	req, _ := http.NewRequest(http.MethodPost, ui+"login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
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
