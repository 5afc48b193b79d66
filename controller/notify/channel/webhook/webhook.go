// Package webhook posts notifications to chat webhooks: a generic JSON
// template, and ready bodies for WeCom (企业微信), DingTalk (钉钉) and
// Slack-compatible incoming webhooks.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"text/template"
	"time"

	"github.com/vantage-net/vantage/controller/notify/channel"
)

// Kinds of webhook and their bodies. Text is the rendered plain message
// (its first line repeats the subject).
var bodies = map[string]string{
	"generic":  `{"key": {{json .Key}}, "message_id": {{json .MessageID}}, "kind": {{json .Kind}}, "incident": {{.Incident}}, "customer": {{json .Customer}}, "lines": {{json .Lines}}, "subject": {{json .Subject}}, "text": {{json .Text}}}`,
	"wecom":    `{"msgtype": "markdown", "markdown": {"content": {{json (printf "**%s**\n%s" .Subject .Text)}}}}`,
	"dingtalk": `{"msgtype": "markdown", "markdown": {"title": {{json .Subject}}, "text": {{json (printf "### %s\n\n%s" .Subject .Text)}}}}`,
	"slack":    `{"text": {{json (printf "*%s*\n%s" .Subject .Text)}}}`,
}

// Kinds lists the webhook kinds.
var Kinds = []string{"generic", "wecom", "dingtalk", "slack"}

// Hook is one configured webhook.
type Hook struct {
	Name string
	Kind string // generic (default), wecom, dingtalk, slack
	// URL often holds the hook's token (WeCom key=…, DingTalk
	// access_token=…): read it from a file (config url_file); it is never
	// logged or put in an error.
	URL string
	// Body replaces the kind's body (a text/template; json and join are
	// available).
	Body string
}

// Sender posts to the hook named by Message.To.
type Sender struct {
	hooks  map[string]hook
	client *http.Client
}

type hook struct {
	Hook
	body *template.Template
}

// New parses every hook's body.
func New(hooks []Hook, timeout time.Duration) (*Sender, error) {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	s := &Sender{hooks: map[string]hook{}, client: &http.Client{Timeout: timeout}}
	for _, h := range hooks {
		if h.Kind == "" {
			h.Kind = "generic"
		}
		text := h.Body
		if text == "" {
			var ok bool
			if text, ok = bodies[h.Kind]; !ok {
				return nil, fmt.Errorf("webhook %s: kind %q is not one of %v", h.Name, h.Kind, Kinds)
			}
		}
		t, err := template.New("webhook " + h.Name).Funcs(channel.Funcs).Option("missingkey=error").Parse(text)
		if err != nil {
			return nil, fmt.Errorf("webhook %s: body: %w", h.Name, err)
		}
		s.hooks[h.Name] = hook{Hook: h, body: t}
	}
	return s, nil
}

// Send posts m to the hook m.To. WeCom and DingTalk answer 200 with an
// errcode; a non-zero one is an error worth a retry (often their rate
// limit).
func (s *Sender) Send(ctx context.Context, m channel.Message) error {
	h, ok := s.hooks[m.To]
	if !ok {
		return channel.Permanent(fmt.Errorf("webhook %q is not configured", m.To))
	}
	body, err := channel.Execute(h.body, m)
	if err != nil {
		return err
	}
	out, err := channel.Post(ctx, s.client, http.MethodPost, h.URL,
		http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {m.MessageID}}, body)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", h.Name, err)
	}
	if h.Kind == "wecom" || h.Kind == "dingtalk" {
		var r struct {
			Code int    `json:"errcode"`
			Msg  string `json:"errmsg"`
		}
		if json.Unmarshal(out, &r) == nil && r.Code != 0 {
			return fmt.Errorf("webhook %s: errcode %d: %.100s", h.Name, r.Code, r.Msg)
		}
	}
	return nil
}
