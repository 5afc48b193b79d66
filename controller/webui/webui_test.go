package webui

import (
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/coverage"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/places"
)

// Both languages have the same keys: a key missing in one would render
// as an empty string there.
func TestMessagesSameKeys(t *testing.T) {
	en, zh := messages["en"], messages["zh-CN"]
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
}

// Redirects after login and language switches stay inside /ui/.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/ui/lines/L1": "/ui/lines/L1", "": "/ui/", "https://evil.example/": "/ui/",
		"//evil.example/ui/": "/ui/", "/ui/\\evil": "/ui/", "/api/v1/lines": "/ui/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// geohashBox against a published point: u4pruydqqvj is 57.64911 N,
// 10.40744 E (Wikipedia's example).
func TestGeohashBox(t *testing.T) {
	la0, la1, lo0, lo1, ok := geohashBox("u4pruydqqvj")
	if !ok || la0 > 57.64911 || la1 < 57.64911 || lo0 > 10.40744 || lo1 < 10.40744 || la1-la0 > 1e-5 {
		t.Fatalf("u4pruydqqvj: %v..%v, %v..%v %v", la0, la1, lo0, lo1, ok)
	}
	if _, _, _, _, ok := geohashBox("wtw3a!"); ok {
		t.Fatal("a character outside the geohash alphabet decoded")
	}
}

// With api_auth off there is no login, yet a form post without the CSRF
// value of the browser's own cookie is refused before the API is called.
func TestNoAuthFormsStillNeedCSRF(t *testing.T) {
	calls := 0
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	})
	u, err := New(Options{API: api}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	u.Register(mux)
	post := func(cookie, form string) int {
		req := httptest.NewRequest(http.MethodPost, "/ui/incidents/1/ack", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "vantage_csrf", Value: cookie})
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w.Code
	}
	if code := post("", ""); code != http.StatusForbidden || calls != 0 {
		t.Errorf("post without cookie or value: %d, %d API calls; want 403 and none", code, calls)
	}
	if code := post("abc", "csrf=xyz"); code != http.StatusForbidden || calls != 0 {
		t.Errorf("post with a value not the cookie's: %d, %d API calls; want 403 and none", code, calls)
	}
	if code := post("abc", "csrf=abc"); code != http.StatusSeeOther || calls != 2 {
		t.Errorf("post with the cookie's value: %d, %d API calls; want 303 after the read and the ack", code, calls)
	}
}

// Sites are placed on the map at their coordinates (or their grid cell's
// centre) with their name and status in words; cells with their rank,
// score and weakness; what has no position is left off.
func TestBuildMap(t *testing.T) {
	lat, lon := 30.2741, 120.1551
	sites := []inventory.SitePosition{
		{Site: inventory.Site{ID: "S1", Name: "Lakeside HQ", Lat: &lat, Lon: &lon}, Status: "down"},
		{Site: inventory.Site{ID: "S2", GridCell: "wtmkq0z"}, Status: "up"},
		{Site: inventory.Site{ID: "S3", GridCell: "not!hash"}, Status: "up"},
	}
	score := 31.0
	cells := []coverage.CellView{{Cell: "wtmkq0z", Score: &score, Weak: true}, {Cell: "bad!"}}
	ranked := []places.Place{{Rank: 1, Cell: "wtmkq0z"}, {Rank: 2, Cell: "wtmkq1b"}}
	m := buildMap(cells, ranked, sites, nil, messages["en"])
	if len(m.Sites) != 2 || m.Sites[0].Label != "✖ Lakeside HQ (down)" || m.Sites[0].Lat != lat || m.Sites[1].Label != "✔ S2 (up)" {
		t.Fatalf("sites: %+v", m.Sites)
	}
	if s := m.Sites[1]; s.Lat < 30.27 || s.Lat > 30.29 || s.Lon < 120.1 || s.Lon > 120.2 {
		t.Errorf("S2 at its cell's centre: %v,%v", s.Lat, s.Lon)
	}
	if len(m.Cells) != 2 || m.Cells[0].Label != "wtmkq0z #1 31 ⚠ weak" || !m.Cells[0].Weak || m.Cells[1].Label != "wtmkq1b #2" {
		t.Fatalf("cells: %+v", m.Cells)
	}
	if b := m.Cells[0].Bounds; b[0][0] >= b[1][0] || b[0][1] >= b[1][1] {
		t.Errorf("bounds not [[south, west], [north, east]]: %v", b)
	}
	if m.Tiles != nil {
		t.Error("tiles without any configured")
	}
}

// The CSP names the tile server's origin for images when there is one,
// and no other host ever.
func TestCSPTiles(t *testing.T) {
	none := cspFor((*Tiles)(nil).origin())
	if !strings.Contains(none, "img-src 'self' data:;") {
		t.Errorf("no tiles: %s", none)
	}
	tiled := cspFor((&Tiles{URL: "http://127.0.0.1:8080/osm/{z}/{x}/{y}.png"}).origin())
	if !strings.Contains(tiled, "img-src 'self' data: http://127.0.0.1:8080;") || strings.Count(tiled, "http") != 1 {
		t.Errorf("tiles: %s", tiled)
	}
	if same := cspFor((&Tiles{URL: "/tiles/{z}/{x}/{y}.png"}).origin()); same != none {
		t.Errorf("same-origin tiles: %s", same)
	}
}

// The embedded Leaflet is the npm package's files unchanged (the sums
// scripts/vendor-leaflet.sh wrote after checking the registry's hash).
func TestLeafletVendoredUnchanged(t *testing.T) {
	sums, err := staticFS.ReadFile("static/leaflet/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		want, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q", line)
		}
		b, err := staticFS.ReadFile("static/leaflet/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != want {
			t.Errorf("%s: sha256 %s, want %s", name, got, want)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d files summed, want leaflet.js, leaflet.css, LICENSE", n)
	}
}
