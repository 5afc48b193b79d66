package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestWebUISessionSurvivesRestart: a web UI session is kept in the
// controller's database, so the shipped controller stopped and started
// again still serves the logged-in browser; logout ends it on the server
// (the cookie, replayed, opens nothing), and revoking the session's token
// with the CLI ends every session of that token.
func TestWebUISessionSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e with the shipped binary")
	}
	t.Parallel()
	bin := buildBinary(t, "vantage-controller")
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	importInventory(t, dataDir, `customers:
  - {id: D1, name: Lakeside Bank, tier: diamond, account_manager: am-1}
`)
	db := filepath.Join(dataDir, "vantage.db")
	opsToken := createToken(t, db, "--name", "ui-ops", "--role", "ops")
	amToken := createToken(t, db, "--name", "ui-am-1", "--role", "account_manager", "--manager", "am-1")
	httpPort := lab.FreePort(t)
	cfgFile := writeControllerConfig(t, fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s}
`, httpPort, dataDir, lab.FreePort(t), influx.URL, influx.Bucket))
	ctx := lab.Deadline(t, 2*time.Minute)
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	ui := api + "/ui/"
	cmd := startHealthyController(t, ctx, bin, cfgFile, api)

	ops := uiLogin(t, ui, opsToken)
	if code, _ := uiGet(t, ui, ops); code != http.StatusOK {
		t.Fatalf("overview right after login: %d", code)
	}
	am := uiLogin(t, ui, amToken)

	// A clean stop and a new process on the same data directory.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Process.Wait(); err != nil {
		t.Fatal(err)
	}
	startHealthyController(t, ctx, bin, cfgFile, api)
	code, page := uiGet(t, ui, ops)
	if code != http.StatusOK || !strings.Contains(page, `id="live"`) {
		t.Fatalf("after a restart the ops session gets %d (want the overview, 200): %.300s", code, page)
	}
	if code, _ := uiGet(t, ui, am); code != http.StatusOK {
		t.Fatalf("after a restart the manager's session gets %d, want 200", code)
	}
	if n := uiSessionRows(t, ctx, db); n != 2 {
		t.Fatalf("%d session rows, want 2", n)
	}

	// Logout deletes the session: the same cookie, replayed, is sent to
	// the login page.
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF value on the overview")
	}
	if code := uiPost(t, ui+"logout", ops, url.Values{"csrf": {m[1]}}); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	if code, _ := uiGet(t, ui, ops); code != http.StatusSeeOther {
		t.Fatalf("the logged-out cookie replayed: %d, want 303 to the login page", code)
	}

	// Revoking the manager's token with the CLI ends its session.
	out, err := exec.Command(bin, "token", "--db", db, "revoke", "--name", "ui-am-1").CombinedOutput()
	if err != nil {
		t.Fatalf("token revoke: %v\n%s", err, out)
	}
	if code, _ := uiGet(t, ui, am); code != http.StatusSeeOther {
		t.Fatalf("session of a revoked token: %d, want 303 to the login page", code)
	}
	if n := uiSessionRows(t, ctx, db); n != 0 {
		t.Fatalf("%d session rows after logout and revoke, want 0", n)
	}
}

var noRedirect = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// uiLoginExchange logs in over plain HTTP as a browser would: it gets
// the login page (its CSRF cookie and form value) and posts the form with
// the token. It returns the login page's response (body read and closed)
// with its text, and the answer to the post.
func uiLoginExchange(t *testing.T, ui, token string) (page *http.Response, pageText string, answer *http.Response) {
	t.Helper()
	page, err := noRedirect.Get(ui + "login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no csrf field on the login page")
	}
	form := url.Values{"csrf": {m[1]}, "token": {token}, "next": {"/ui/"}}
	req, _ := http.NewRequest(http.MethodPost, ui+"login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range page.Cookies() {
		req.AddCookie(c)
	}
	answer, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer.Body.Close()
	return page, string(body), answer
}

// uiLogin logs in (uiLoginExchange) and returns the session cookie.
func uiLogin(t *testing.T, ui, token string) *http.Cookie {
	t.Helper()
	_, _, resp := uiLoginExchange(t, ui, token)
	for _, c := range resp.Cookies() {
		if c.Name == "vantage_session" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("login answered %d without a session cookie", resp.StatusCode)
	return nil
}

// uiGet fetches the overview with the session cookie, not following a
// redirect (to the login page).
func uiGet(t *testing.T, ui string, session *http.Cookie) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ui, nil)
	req.AddCookie(session)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func uiPost(t *testing.T, target string, session *http.Cookie, form url.Values) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(session)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// uiSessionRows counts the stored sessions (a second reader beside the
// running controller; WAL allows it).
func uiSessionRows(t *testing.T, ctx context.Context, path string) int {
	t.Helper()
	db, err := sqlite.Open(ctx, path, sqlite.Options{NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ui_sessions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
