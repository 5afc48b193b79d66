package places

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Bad input names its field; an empty database ranks nothing.
func TestPlacesHandler(t *testing.T) {
	g := newGrid(t)
	r, err := New(Options{DB: g.db})
	if err != nil {
		t.Fatal(err)
	}
	h := Handler(r, func() time.Time { return t0 })
	for q, want := range map[string]string{"limit=0": `"field":"limit"`, "limit=x": `"field":"limit"`, "": `{"places":[]}`} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/places?"+q, nil))
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%q: %d %s, want %s", q, rec.Code, rec.Body, want)
		}
	}
}
