package complaints

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

type apiFixture struct {
	t   *testing.T
	srv *httptest.Server
}

// newAPI serves the seeded scenario; the header X-Manager: am1 makes a
// request an account manager of c1 and c3 (the test's stand-in for
// apiauth's principal).
func newAPI(t *testing.T) (*apiFixture, *Store) {
	db := openDB(t)
	seed(t, db)
	s := newStore(t, db, &clock{t: t0.Add(10 * 24 * time.Hour)})
	mux := http.NewServeMux()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	Register(mux, s, slog.New(slog.DiscardHandler), HTTPOptions{Location: sh, Scope: func(r *http.Request) ([]string, bool) {
		if r.Header.Get("X-Manager") == "am1" {
			return []string{"c1", "c3"}, false
		}
		return nil, true
	}})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &apiFixture{t: t, srv: srv}, s
}

func (f *apiFixture) do(method, path, body, manager string) (int, map[string]any) {
	f.t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if manager != "" {
		req.Header.Set("X-Manager", manager)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		f.t.Fatalf("%s %s: %s", method, path, b)
	}
	return resp.StatusCode, m
}

func ids(m map[string]any) []string {
	var out []string
	for _, c := range m["complaints"].([]any) {
		out = append(out, c.(map[string]any)["id"].(string))
	}
	return out
}

func TestAPIPostListGet(t *testing.T) {
	f, _ := newAPI(t)
	code, m := f.do("POST", "/api/v1/complaints", `{"id":"A","received_at":"2026-11-20 08:00","customer_id":"c1","category":"line_interruption"}`, "")
	if code != 200 || m["created"].(float64) != 1 {
		t.Fatalf("post one: %d %v", code, m)
	}
	batch := `[{"id":"B","received_at":"2026-11-21T12:00:00Z","phone":"13800138000","category":"slow"},
		{"id":"D","received_at":"2026-11-20T00:00:00Z","customer_id":"c3","category":"other"},
		{"id":"A","received_at":"2026-11-20 08:00","customer_id":"c1","category":"line_interruption"}]`
	code, m = f.do("POST", "/api/v1/complaints", batch, "")
	if code != 200 || m["created"].(float64) != 2 || m["unchanged"].(float64) != 1 {
		t.Fatalf("post batch: %d %v", code, m)
	}
	// A's naive time is 08:00 in Asia/Shanghai: 00:00 UTC, t0, so the
	// seeded outage half an hour before is in its window.
	code, a := f.do("GET", "/api/v1/complaints/A", "", "")
	if code != 200 || a["verdict"] != "confirmed" || a["received_at"] != "2026-11-20T00:00:00Z" || len(a["evidence"].([]any)) != 2 {
		t.Fatalf("get A: %d %v", code, a)
	}
	_, all := f.do("GET", "/api/v1/complaints", "", "")
	if got := ids(all); !slices.Equal(got, []string{"B", "D", "A"}) {
		t.Errorf("list %v, want newest first B, D, A (D and A at the same time, by id descending)", got)
	}
	for q, want := range map[string][]string{
		"verdict=confirmed":         {"A"},
		"customer=c2":               {"B"},
		"category=other":            {"D"},
		"from=2026-11-21T00:00:00Z": {"B"},
		"to=2026-11-21T00:00:00Z":   {"D", "A"},
		"repeat=true":               nil,
	} {
		_, m := f.do("GET", "/api/v1/complaints?"+strings.ReplaceAll(q, "+", "%2B"), "", "")
		if got := ids(m); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
	// Keyset paging: one per page, following next.
	var pages []string
	path := "/api/v1/complaints?limit=1"
	for i := 0; i < 5; i++ {
		_, m := f.do("GET", path, "", "")
		pages = append(pages, ids(m)...)
		next, ok := m["next"].(string)
		if !ok {
			break
		}
		path = "/api/v1/complaints?limit=1&after=" + url.QueryEscape(next)
	}
	if !slices.Equal(pages, []string{"B", "D", "A"}) {
		t.Errorf("pages %v", pages)
	}
	// An account manager of c1 and c3 sees A and D only; B is not found.
	_, m = f.do("GET", "/api/v1/complaints", "", "am1")
	if got := ids(m); !slices.Equal(got, []string{"D", "A"}) {
		t.Errorf("am1 sees %v", got)
	}
	if code, m := f.do("GET", "/api/v1/complaints/B", "", "am1"); code != 404 || m["error"] != "complaint not found" {
		t.Errorf("am1 GET B: %d %v", code, m)
	}
	if code, m := f.do("GET", "/api/v1/complaints/nope", "", ""); code != 404 || m["error"] != "complaint not found" {
		t.Errorf("GET nope: %d %v", code, m)
	}
}

func TestAPIBadInput(t *testing.T) {
	f, _ := newAPI(t)
	for _, tc := range []struct{ path, body, field, msg string }{
		{"/api/v1/complaints", `{"id":"A","received_at":"2026-11-20 08:00","customer_id":"c1","category":"slowish"}`, "category",
			`category: "slowish" is not a category (line_interruption, slow, no_service, weak_signal, other)`},
		{"/api/v1/complaints", `[{"id":"A","received_at":"2026-11-20 08:00","customer_id":"c1","category":"slow"},{"id":"B","received_at":"yesterday","customer_id":"c1","category":"slow"}]`,
			"complaints[1].received_at", `complaints[1].received_at: "yesterday" is not a time: want RFC 3339 (2026-11-20T08:00:00+08:00) or 2026-11-20 08:00[:05] in the configured zone`},
		{"/api/v1/complaints", `{"id":"A","received_at":"2026-11-20 08:00","category":"slow"}`, "customer_id", "customer_id: " + ReasonNoIdentity},
		{"/api/v1/complaints", `{"id":"A","received_at":"2026-11-20 08:00","lat":"31","lon":121,"category":"slow"}`, "lat", "lat: must be a JSON float64"},
		{"/api/v1/complaints", `{"id":"A","received_at":"2026-11-20 08:00","lat":91,"lon":121,"category":"slow"}`, "lat", "lat: latitude 91 is out of range (-90 to 90)"},
		{"/api/v1/complaints", `{"id":"A","colour":"red"}`, "colour", "colour: unknown field"},
		{"/api/v1/complaints", `{"received_at":"2026-11-20 08:00","customer_id":"c1","category":"slow"}`, "id", "id: empty complaint id"},
		{"/api/v1/complaints", `[]`, "", "empty batch"},
		{"/api/v1/complaints", `[1]`, "complaints[0]", "complaints[0]: a complaint must be a JSON object"},
		{"/api/v1/complaints", `{"id":`, "", "body is not a JSON complaint: unexpected EOF"},
	} {
		code, m := f.do("POST", tc.path, tc.body, "")
		field, _ := m["field"].(string)
		if code != 400 || field != tc.field || m["error"] != tc.msg {
			t.Errorf("%s: %d field %q error %q, want 400 %q %q", tc.body, code, field, m["error"], tc.field, tc.msg)
		}
	}
	for q, field := range map[string]string{"verdict=maybe": "verdict", "category=x": "category", "from=yesterday": "from",
		"repeat=perhaps": "repeat", "after=x": "after", "limit=0": "limit"} {
		if code, m := f.do("GET", "/api/v1/complaints?"+q, "", ""); code != 400 || m["field"] != field {
			t.Errorf("%s: %d %v", q, code, m)
		}
	}
}

func TestAPIRepeats(t *testing.T) {
	f, _ := newAPI(t)
	for i, day := range []int{1, 3, 5} {
		body := `{"id":"W` + string(rune('0'+i)) + `","received_at":"2026-11-2` + string(rune('0'+day)) + `T00:00:00Z","lat":31.24,"lon":121.48,"category":"weak_signal"}`
		if code, m := f.do("POST", "/api/v1/complaints", body, ""); code != 200 {
			t.Fatalf("%s: %d %v", body, code, m)
		}
	}
	_, m := f.do("GET", "/api/v1/complaints/repeats", "", "")
	reps := m["repeats"].([]any)
	if len(reps) != 1 || reps[0].(map[string]any)["kind"] != "cell" || reps[0].(map[string]any)["count"].(float64) != 3 ||
		len(reps[0].(map[string]any)["history"].([]any)) != 3 {
		t.Fatalf("repeats %v", m)
	}
	if _, m := f.do("GET", "/api/v1/complaints?repeat=true", "", ""); !slices.Equal(ids(m), []string{"W2"}) {
		t.Errorf("repeat=true lists %v, want the third, W2", ids(m))
	}
	// The compound has no customer: an account manager sees none of it.
	if _, m := f.do("GET", "/api/v1/complaints/repeats", "", "am1"); len(m["repeats"].([]any)) != 0 {
		t.Errorf("am1 sees %v", m)
	}
}

// The decoder never panics, and whatever it accepts passes Check.
func FuzzDecodeIntakes(f *testing.F) {
	f.Add([]byte(`{"id":"A","received_at":"2026-11-20 08:00","customer_id":"c1","category":"slow"}`))
	f.Add([]byte(`[{"id":"A","received_at":"2026-11-20T08:00:00+08:00","lat":1,"lon":2,"category":"other","closed_at":"2026-11-21 08:00"}]`))
	f.Add([]byte(`[1, {"x": null}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ins, err := DecodeIntakes(strings.NewReader(string(body)), time.UTC)
		if err != nil {
			var fe *FieldError
			if !errorsAs(err, &fe) {
				t.Fatalf("not a FieldError: %v", err)
			}
			return
		}
		for _, in := range ins {
			if err := in.Check(); err != nil {
				t.Fatalf("accepted %+v: %v", in, err)
			}
		}
	})
}
