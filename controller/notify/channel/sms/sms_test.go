package sms

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vantage-net/vantage/controller/notify/channel"
)

// The configured method, header templates with the token, and a body
// template that stays valid JSON whatever the text holds; 5xx retried,
// 4xx permanent; neither the token nor the URL's query in errors.
func TestGateway(t *testing.T) {
	var status atomic.Int32
	status.Store(200)
	var got map[string]any
	var auth, idem, method string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, auth, idem, method = nil, r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key"), r.Method
		if err := json.Unmarshal(b, &got); err != nil {
			http.Error(w, "bad json: "+string(b), 400)
			return
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer gw.Close()
	s, err := New(Options{URL: gw.URL + "/send?sign=QUERYSECRET", Method: http.MethodPut, Token: "TOKEN-XYZ",
		Headers: map[string]string{"Authorization": "Bearer {{.Token}}"},
		Body:    `{"mobile": {{json .To}}, "content": {{json .Text}}}`})
	if err != nil {
		t.Fatal(err)
	}
	m := channel.Message{To: "+8613800000101", Text: "线路 \"0571-0001\" 中断\n工单 VAN-1", MessageID: "id-1@x"}
	if err := s.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if method != http.MethodPut || auth != "Bearer TOKEN-XYZ" || idem != "id-1@x" || got["mobile"] != m.To || got["content"] != m.Text {
		t.Errorf("gateway saw %s %q %q %v", method, auth, idem, got)
	}
	for code, permanent := range map[int32]bool{500: false, 429: false, 400: true} {
		status.Store(code)
		err := s.Send(t.Context(), m)
		if err == nil || channel.IsPermanent(err) != permanent {
			t.Errorf("HTTP %d: %v, permanent %v", code, err, channel.IsPermanent(err))
		}
		if err != nil && (strings.Contains(err.Error(), "TOKEN-XYZ") || strings.Contains(err.Error(), "QUERYSECRET")) {
			t.Errorf("error leaks a secret: %v", err)
		}
	}
	gw.Close()
	if err := s.Send(t.Context(), m); err == nil || strings.Contains(err.Error(), "QUERYSECRET") {
		t.Errorf("unreachable gateway: %v", err)
	}
}
