package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testinflux"
)

// TestWebUIMapOffline drives the places map of the shipped controller in
// headless Chromium and watches every request the browser makes (the
// DevTools network events). With no ui.tiles configured the map draws its
// sites and grid cells on a plain background and no request goes to any
// host but the controller. Restarted with the README's ui.tiles block
// pointed at a tile server this test runs on loopback, the map's tiles come
// from that server, and from no other host. Neither run may trip the
// page's Content-Security-Policy or throw.
func TestWebUIMapOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("browser e2e")
	}
	t.Parallel()
	chromiumPath(t)
	bin := buildBinary(t, "vantage-controller")
	influx := testinflux.Start(t)
	dataDir := t.TempDir()
	importInventory(t, dataDir, webUIInventory)
	opsToken := createToken(t, filepath.Join(dataDir, "vantage.db"), "--name", "map-ops", "--role", "ops")
	httpPort := lab.FreePort(t)
	base := fmt.Sprintf(`http_listen: 127.0.0.1:%d
data_dir: %s
nats: {listen: "127.0.0.1:%d", agent_auth: false}
influx: {url: %s, bucket: %s}
`, httpPort, dataDir, lab.FreePort(t), influx.URL, influx.Bucket)
	cfgFile := writeControllerConfig(t, base)
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	ui := api + "/ui/"
	ctx := lab.Deadline(t, 4*time.Minute)
	start := func(cfg string) func() {
		t.Helper()
		if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := startHealthyController(t, ctx, bin, cfgFile, api)
		return func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_, _ = cmd.Process.Wait()
		}
	}
	stop := start(base)

	// A complaint puts its grid cell among the places to fix.
	postUIComplaint(t, ctx, api, opsToken, "CC-MAP")

	bctx, stopBrowser := newBrowser(t, "UTC")
	defer stopBrowser()
	watch := watchBrowser(t, bctx)
	do := browserSteps(t, bctx)
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	shots := artifactsDir(t)
	openMap := func() {
		t.Helper()
		lab.WaitFor(t, ctx, 500*time.Millisecond, func() error {
			do("places page", chromedp.Navigate(ui+"places"), chromedp.WaitVisible(chromedp.ID("map")))
			cells := eval(`String(document.querySelectorAll("#map path.cell").length)`)
			sites := eval(`String(document.querySelectorAll("#map path.site").length)`)
			if cells == "0" || sites != "2" {
				return fmt.Errorf("map shows %s cells and %s sites, want the complaint's cell and 2 sites", cells, sites)
			}
			return nil
		})
		// Labels in words, not colour alone.
		if got := eval(`document.getElementById("map").textContent`); !strings.Contains(got, "Lakeside HQ (") || !strings.Contains(got, "Hilltop (") {
			t.Errorf("site labels on the map: %q", got)
		}
	}

	// 1. No tiles: a plain background, every request to the controller.
	do("log in by link", chromedp.Navigate(ui+"login#token="+opsToken), chromedp.WaitVisible(chromedp.ID("live")))
	openMap()
	if n := eval(`String(document.querySelectorAll("#map img.leaflet-tile").length) + " " + document.getElementById("map").className`); !strings.HasPrefix(n, "0 ") || !strings.Contains(n, "plain") {
		t.Errorf("without tiles the map has %q (want no tile and class plain)", n)
	}
	do("a line page too", chromedp.Navigate(ui+"lines/L-BANK"), chromedp.WaitVisible(chromedp.ID("chart")))
	screenshot(t, bctx, shots, "map-plain")
	hosts := watch.hosts()
	if len(hosts) != 1 || hosts[0] != fmt.Sprintf("127.0.0.1:%d", httpPort) {
		t.Errorf("without tiles the browser asked hosts %v, want only the controller 127.0.0.1:%d", hosts, httpPort)
	}
	stop()

	// 2. The README's tiles block, pointed at a tile server on loopback.
	var tileHits atomic.Int64
	tilePNG := grayPNG(t)
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !regexp.MustCompile(`^/osm/\d+/\d+/\d+\.png$`).MatchString(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		tileHits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(tilePNG)
	}))
	t.Cleanup(tiles.Close)
	block := readmeBlockWith(t, "ui:", "tiles:", "max_zoom:")
	block = strings.ReplaceAll(block, "http://tiles.noc.lan", tiles.URL)
	if !strings.Contains(block, tiles.URL+"/osm/{z}/{x}/{y}.png") {
		t.Fatalf("README's tiles block is not the one this test knows:\n%s", block)
	}
	stop = start(base + block)
	defer stop()
	watch.reset()
	// The session outlived the restart (it is in the database).
	openMap()
	lab.WaitFor(t, ctx, 200*time.Millisecond, func() error {
		if n := eval(`String(document.querySelectorAll("#map img.leaflet-tile-loaded").length)`); n == "0" || tileHits.Load() == 0 {
			return fmt.Errorf("%s tiles loaded, %d served", n, tileHits.Load())
		}
		return nil
	})
	if got := eval(`document.querySelector("#map .leaflet-control-attribution").textContent`); !strings.Contains(got, "© OpenStreetMap contributors") {
		t.Errorf("attribution %q", got)
	}
	screenshot(t, bctx, shots, "map-tiles")
	tileHost := strings.TrimPrefix(tiles.URL, "http://")
	hosts = watch.hosts()
	want := []string{fmt.Sprintf("127.0.0.1:%d", httpPort), tileHost}
	if len(hosts) != 2 || !(hosts[0] == want[0] && hosts[1] == want[1] || hosts[0] == want[1] && hosts[1] == want[0]) {
		t.Errorf("with tiles the browser asked hosts %v, want the controller and the tile server %v", hosts, want)
	}
	watch.check()
}

// browserWatch records the hosts of every request a tab makes, and
// fails the test on a Content-Security-Policy violation or an uncaught
// script error.
type browserWatch struct {
	t        *testing.T
	mu       sync.Mutex
	seen     map[string]bool
	problems []string
}

func watchBrowser(t *testing.T, bctx context.Context) *browserWatch {
	w := &browserWatch{t: t, seen: map[string]bool{}}
	err := chromedp.Listen(bctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if u, err := url.Parse(e.Request.URL); err == nil && u.Scheme != "data" {
				w.seen[u.Host] = true
			}
		case *log.EventEntryAdded:
			if strings.Contains(e.Entry.Text, "Content Security Policy") {
				w.problems = append(w.problems, "CSP: "+e.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if ex := e.ExceptionDetails.Exception; ex != nil {
				msg += " " + ex.Description
			}
			w.problems = append(w.problems, "script error: "+msg)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.check)
	return w
}

// hosts are the host:port of every request since the last reset, sorted.
func (w *browserWatch) hosts() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for h := range w.seen {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

func (w *browserWatch) reset() {
	w.mu.Lock()
	w.seen = map[string]bool{}
	w.mu.Unlock()
}

func (w *browserWatch) check() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		w.t.Errorf("browser: %s", p)
	}
	w.problems = nil
}

// grayPNG is a 256×256 tile of one grey.
func grayPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 256, 256))
	for i := range img.Pix {
		img.Pix[i] = 0xc8
	}
	img.Set(0, 0, color.Gray{Y: 0x80})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
