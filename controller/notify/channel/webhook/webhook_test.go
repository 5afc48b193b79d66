package webhook

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/controller/notify/channel"
)

// Each kind's body as its service expects it; a WeCom/DingTalk errcode is
// an error; the hook's URL (its key) never shows in an error.
func TestKinds(t *testing.T) {
	var last map[string]any
	var answer = `{"errcode": 0}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		last = nil
		if err := json.Unmarshal(b, &last); err != nil {
			http.Error(w, "bad json", 400)
			return
		}
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	s, err := New([]Hook{
		{Name: "wx", Kind: "wecom", URL: srv.URL + "/?key=WXKEY"},
		{Name: "dd", Kind: "dingtalk", URL: srv.URL + "/?access_token=DDKEY"},
		{Name: "sl", Kind: "slack", URL: srv.URL},
		{Name: "gen", URL: srv.URL},
		{Name: "own", URL: srv.URL, Body: `{"t": {{json .Subject}}, "n": {{len .Lines}}}`},
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	m := channel.Message{Subject: "Outage \"A\"", Text: "line L1\nline L2", Kind: "outage_start", Incident: 7, Customer: "C1",
		Lines: []string{"L1", "L2"}, Key: "k", MessageID: "id@x"}
	check := map[string]func(map[string]any) bool{
		"wx": func(v map[string]any) bool {
			md, _ := v["markdown"].(map[string]any)
			return v["msgtype"] == "markdown" && strings.Contains(md["content"].(string), "**Outage \"A\"**\nline L1")
		},
		"dd": func(v map[string]any) bool {
			md, _ := v["markdown"].(map[string]any)
			return md["title"] == m.Subject && strings.HasPrefix(md["text"].(string), "### Outage")
		},
		"sl": func(v map[string]any) bool { return strings.HasPrefix(v["text"].(string), "*Outage \"A\"*\n") },
		"gen": func(v map[string]any) bool {
			return v["incident"] == 7.0 && v["customer"] == "C1" && len(v["lines"].([]any)) == 2
		},
		"own": func(v map[string]any) bool { return v["t"] == m.Subject && v["n"] == 2.0 },
	}
	for name, ok := range check {
		m.To = name
		if err := s.Send(t.Context(), m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !ok(last) {
			t.Errorf("%s body %v", name, last)
		}
	}
	answer = `{"errcode": 45009, "errmsg": "api freq out of limit"}`
	m.To = "wx"
	if err := s.Send(t.Context(), m); err == nil || channel.IsPermanent(err) || strings.Contains(err.Error(), "WXKEY") {
		t.Errorf("errcode: %v", err)
	}
	srv.Close()
	m.To = "dd"
	if err := s.Send(t.Context(), m); err == nil || strings.Contains(err.Error(), "DDKEY") {
		t.Errorf("closed hook: %v", err)
	}
	if _, err := New([]Hook{{Name: "x", Kind: "teams", URL: "http://127.0.0.1/"}}, 0); err == nil {
		t.Error("unknown kind accepted")
	}
}
