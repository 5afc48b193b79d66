package report

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/report/reporttest"
)

// The API serves each format; an account manager sees only their own
// customers (another's is 404, like an unknown one); bad input is 400
// naming the field.
func TestReportsAPI(t *testing.T) {
	_, b := scenario(t)
	mux := http.NewServeMux()
	Register(mux, b, slog.New(slog.DiscardHandler), HTTPOptions{
		Languages: map[string]string{reporttest.OtherManager: "en"},
		Scope: func(r *http.Request) ([]string, bool) {
			switch r.Header.Get("X-Test-Role") {
			case "am":
				return []string{reporttest.Customer}, false
			case "other":
				return []string{reporttest.Other}, false
			}
			return nil, true
		}})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(role, path string) (int, string, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("X-Test-Role", role)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
	}
	path := "/api/v1/reports/customers/" + reporttest.Customer + "?from=2026-11-16&to=2026-11-23"
	code, ct, body := get("am", path)
	var r Report
	if code != 200 || ct != "application/json" || json.Unmarshal([]byte(body), &r) != nil || r.Lines[0].DownSeconds != 3045 ||
		r.Notifications.ProactiveRatio != 0.5 || r.Language != "zh-CN" {
		t.Fatalf("json: %d %s %.300s", code, ct, body)
	}
	for format, want := range map[string]string{"html": "<svg", "csv": "section,customer", "pdf": "%PDF-"} {
		code, ct, body := get("", path+"&format="+format)
		if code != 200 || ct != ContentType(format) || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s %.100q", format, code, ct, body)
		}
	}
	if code, _, body := get("am", path+"&format=html&lang=en"); code != 200 || !strings.Contains(body, "Customer impact report") {
		t.Errorf("lang=en: %d", code)
	}
	if code, _, _ := get("other", path); code != 404 {
		t.Errorf("another manager's customer: %d, want 404", code)
	}
	if code, _, body := get("other", "/api/v1/reports/customers/"+reporttest.Other+"?period=week&from=2026-11-16&format=html"); code != 200 ||
		!strings.Contains(body, "Customer impact report") {
		t.Errorf("own customer in the manager's language: %d", code)
	}
	if code, _, _ := get("", "/api/v1/reports/customers/nobody?period=week"); code != 404 {
		t.Errorf("unknown customer: %d", code)
	}
	for q, field := range map[string]string{"?format=docx": `"field":"format"`, "?from=bad&to=2026-11-23": `"field":"period"`,
		"?from=2020-01-01&to=2026-01-01": `"field":"to"`} {
		if code, _, body := get("", "/api/v1/reports/customers/"+reporttest.Customer+q); code != 400 || !strings.Contains(body, field) {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
}
