package notify

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
	"github.com/vantage-net/vantage/controller/linestate"
	"github.com/vantage-net/vantage/controller/notify/channel/email"
	"github.com/vantage-net/vantage/controller/notify/channel/sms"
	"github.com/vantage-net/vantage/controller/notify/channel/webhook"
	"github.com/vantage-net/vantage/internal/logbuf"
)

// Every channel failing (a closed SMTP port with a password, an SMS
// gateway and a webhook whose URLs carry their keys, a token): the log
// (debug level) and the notifications API hold the failures but none of
// the secrets.
func TestSecretsNeverLoggedOrServed(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	var logs logbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rules := DefaultRules()
	d := rules["diamond"]
	d.Channels, d.Webhooks, d.AccountManager, d.Ops = []string{Email, SMS}, []string{"chat"}, false, false
	rules["diamond"] = d
	r := newRig(t, rules, func(o *Options) {
		o.Email = &email.Options{Host: "127.0.0.1", Port: closed, TLS: email.None, Username: "u", Password: "SMTP-PASSWORD-1",
			From: "noc@test.vantage", Timeout: time.Second}
		o.SMS = &sms.Options{URL: "http://127.0.0.1:1/send?key=SMS-URL-KEY-2", Token: "SMS-TOKEN-3",
			Headers: map[string]string{"Authorization": "Bearer {{.Token}}"}, Timeout: time.Second}
		o.Webhooks = []WebhookOptions{{Hook: webhook.Hook{Name: "chat", Kind: "wecom", URL: "http://127.0.0.1:1/hook?key=WEBHOOK-KEY-4"}}}
		o.Sender.MaxAttempts = 1
	})
	r.n.log = log
	r.exec(`INSERT INTO customers (id, name, tier) VALUES ('D1', 'Bank', 'diamond')`)
	r.exec(`INSERT INTO contacts (id, customer_id, name, role, email, phone) VALUES ('P', 'D1', 'Ann', 'primary', 'a@b.example', '+8613800000000')`)
	r.line(incident.Line{ID: "L1", Customer: "D1", Tier: "diamond"}, linestate.Down, t0)
	r.at(t0.Add(time.Minute))
	r.send()
	if st := r.statuses(); st[OutageStart+"/failed"] != 3 {
		t.Fatalf("outbox %v, want three failed starts", st)
	}
	mux := http.NewServeMux()
	r.n.Register(mux, nil)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/notifications", nil))
	body, _ := io.ReadAll(w.Body)
	for _, secret := range []string{"SMTP-PASSWORD-1", "SMS-URL-KEY-2", "SMS-TOKEN-3", "WEBHOOK-KEY-4"} {
		if strings.Contains(logs.String(), secret) || strings.Contains(string(body), secret) {
			t.Errorf("%s leaked:\nlog: %s\nAPI: %s", secret, logs.String(), body)
		}
	}
	if !strings.Contains(logs.String(), "notification failed") {
		t.Errorf("failures not logged: %s", logs.String())
	}
}
