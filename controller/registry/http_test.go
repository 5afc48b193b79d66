package registry

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestAPI(t *testing.T) {
	f := newFixture(t, nil)
	f.beat("cpe-2", 10*time.Second, 0)
	f.clk.Advance(time.Minute)
	f.evaluate(t)
	f.beat("cpe-1", 10*time.Second, 3*time.Second)
	f.beat("cpe-1", 10*time.Second, 3*time.Second) // a second agreeing heartbeat flags the clock
	h := f.r.Handler()

	get := func(path string, want int) map[string]any {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return body
	}

	list := get("/api/v1/agents", 200)["agents"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["id"] != "cpe-1" {
		t.Fatalf("list: %v", list)
	}
	online := get("/api/v1/agents?state=online", 200)["agents"].([]any)
	if len(online) != 1 || online[0].(map[string]any)["id"] != "cpe-1" {
		t.Fatalf("online: %v", online)
	}
	one := get("/api/v1/agents/cpe-1", 200)
	if one["state"] != "online" || one["clock_skewed"] != true || one["clock_offset_s"] != 3.0 || one["version"] != "1.2.3" {
		t.Fatalf("one: %v", one)
	}
	if e := get("/api/v1/agents/nope", 404); e["field"] != "id" || e["error"] == "" {
		t.Fatalf("404 body: %v", e)
	}
	if e := get("/api/v1/agents?state=up", 400); e["field"] != "state" {
		t.Fatalf("400 body: %v", e)
	}
}
