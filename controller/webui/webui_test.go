package webui

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/inventory"
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

// Sites are drawn on the map at their coordinates (or their grid cell's
// centre) with their name and status as text, inside the drawing.
func TestDrawCellsDrawsSites(t *testing.T) {
	lat, lon := 30.2741, 120.1551
	sites := []inventory.SitePosition{
		{Site: inventory.Site{ID: "S1", Name: "Lakeside HQ", Lat: &lat, Lon: &lon}, Status: "down"},
		{Site: inventory.Site{ID: "S2", GridCell: "wtmkq0z"}, Status: "up"},
		{Site: inventory.Site{ID: "S3", GridCell: "not!hash"}, Status: "up"},
	}
	m := drawCells(nil, nil, sites)
	if len(m.Sites) != 2 {
		t.Fatalf("sites drawn: %+v", m.Sites)
	}
	if m.Sites[0].Label != "Lakeside HQ" || m.Sites[0].Status != "down" || m.Sites[1].Label != "S2" {
		t.Fatalf("labels: %+v", m.Sites)
	}
	for _, p := range m.Sites {
		if p.X < 0 || p.X > mapW || p.Y < 0 || p.Y > mapH {
			t.Errorf("site %s outside the map: %v,%v", p.ID, p.X, p.Y)
		}
	}
	// North is up: S1 (30.2741 N) lies south of wtmkq0z (about 30.28 N).
	if m.Sites[0].Y <= m.Sites[1].Y {
		t.Errorf("S1 at y=%v not below S2 at y=%v", m.Sites[0].Y, m.Sites[1].Y)
	}
}
