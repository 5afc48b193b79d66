package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/vantage-net/vantage/internal/testinflux"
)

// chromiumPath finds Debian's chromium. Without it the browser tests skip
// with the reason, and fail under VANTAGE_REQUIRE_LAB=1 (make test).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("VANTAGE_REQUIRE_LAB") == "1" {
		t.Fatal("chromium not found and VANTAGE_REQUIRE_LAB=1: install it with make deps")
	}
	t.Skip("chromium not found (Debian package chromium; make deps installs it)")
	return ""
}

// browserSteps returns a runner of chromedp steps in the browser bctx:
// each call has 30 s, and a failure ends the test naming what was done.
func browserSteps(t *testing.T, bctx context.Context) func(what string, steps ...chromedp.Action[chromedp.Void]) {
	return func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(bctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
}

// newBrowser starts a headless Chromium with a fresh profile, no network
// beyond what the page asks for (this machine's network is closed), in
// the time zone tz; cancel stops it.
func newBrowser(t *testing.T, tz string) (context.Context, context.CancelFunc) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 900),
		chromedp.Env("TZ=" + tz),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	// Start the browser on ctx itself: the first action allocates it, and
	// a browser started under a step's timeout would end with that step.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	return ctx, func() { cancel(); cancelAlloc() }
}

// artifactsDir is where screenshots go: $VANTAGE_ARTIFACTS/<test> when
// set (CI keeps it), else the test's temporary directory, logged.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if base := os.Getenv("VANTAGE_ARTIFACTS"); base != "" {
		dir = filepath.Join(base, t.Name())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// screenshot saves the viewport as name.png in dir, and the overview,
// incident, line and places as docs/ui-<name>.png when VANTAGE_UI_DOCS=1
// (how README's pictures are made).
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("VANTAGE_UI_DOCS") == "1" && (name == "overview" || name == "incident" || name == "line" || name == "places") {
		root, err := testinflux.ModuleRoot()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "docs", "ui-"+name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// apiStatus is the HTTP status of GET url with token.
func apiStatus(t *testing.T, ctx context.Context, url, token string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// postUIComplaint posts, as token's user, a line-interruption complaint
// with id from webUIInventory's customer D1, received now, at the
// coordinates of the UI tests' places.
func postUIComplaint(t *testing.T, ctx context.Context, api, token, id string) {
	t.Helper()
	body := fmt.Sprintf(`{"id": %q, "received_at": %q, "customer_id": "D1", "category": "line_interruption", "lat": 30.2741, "lon": 120.1551}`,
		id, time.Now().UTC().Format(time.RFC3339))
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, api+"/api/v1/complaints", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("post complaint %s: %v %v", id, resp, err)
	}
	resp.Body.Close()
}
