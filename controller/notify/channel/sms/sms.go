// Package sms sends notifications through an operator's HTTP SMS gateway:
// URL, method, headers and body are configured, the body and header values
// being text/templates over the message (.To, .Text, .Subject, .Token,
// .MessageID, .Key).
package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"text/template"
	"time"

	"github.com/vantage-net/vantage/controller/notify/channel"
)

// DefaultBody is the body when none is configured.
const DefaultBody = `{"to": {{json .To}}, "text": {{json .Text}}, "id": {{json .MessageID}}}`

// Options configure the gateway.
type Options struct {
	URL    string
	Method string // default POST
	// Headers are templates too, e.g. Authorization: "Bearer {{.Token}}".
	Headers map[string]string
	Body    string
	// Token is the gateway's secret, read from a file (config token_file)
	// and only ever put where a template asks for it; never logged.
	Token   string
	Timeout time.Duration // default 10 s
}

// Sender posts to the gateway.
type Sender struct {
	opts    Options
	body    *template.Template
	headers map[string]*template.Template
	client  *http.Client
}

// New parses the templates.
func New(o Options) (*Sender, error) {
	if o.URL == "" {
		return nil, errors.New("sms: url is required")
	}
	if o.Method == "" {
		o.Method = http.MethodPost
	}
	if o.Body == "" {
		o.Body = DefaultBody
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	s := &Sender{opts: o, headers: map[string]*template.Template{}, client: &http.Client{Timeout: o.Timeout}}
	var err error
	if s.body, err = template.New("sms body").Funcs(channel.Funcs).Option("missingkey=error").Parse(o.Body); err != nil {
		return nil, fmt.Errorf("sms: body: %w", err)
	}
	for k, v := range o.Headers {
		if s.headers[k], err = template.New("sms header " + k).Funcs(channel.Funcs).Parse(v); err != nil {
			return nil, fmt.Errorf("sms: headers.%s: %w", k, err)
		}
	}
	return s, nil
}

type data struct {
	channel.Message
	Token string
}

// Send posts one message.
func (s *Sender) Send(ctx context.Context, m channel.Message) error {
	d := data{Message: m, Token: s.opts.Token}
	body, err := channel.Execute(s.body, d)
	if err != nil {
		return err
	}
	h := http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {m.MessageID}}
	for k, t := range s.headers {
		v, err := channel.Execute(t, d)
		if err != nil {
			return err
		}
		h.Set(k, string(v))
	}
	if _, err := channel.Post(ctx, s.client, s.opts.Method, s.opts.URL, h, body); err != nil {
		return fmt.Errorf("sms gateway: %w", err)
	}
	return nil
}
