package config

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/notify"
	"github.com/vantage-net/vantage/controller/notify/channel/email"
	"github.com/vantage-net/vantage/controller/notify/channel/sms"
	"github.com/vantage-net/vantage/controller/notify/channel/webhook"
)

// Notify configures proactive notification (controller/notify). Omitted:
// nobody is notified. Secrets come from files (password_file, token_file,
// url_file), read at start and never logged.
type Notify struct {
	// Timezone of quiet hours and of times in messages (default
	// Asia/Shanghai).
	Timezone string `yaml:"timezone"`
	// Phone is the number messages give to call.
	Phone string `yaml:"phone"`
	// MessageIDDomain is the right-hand side of Message-IDs (default
	// vantage.invalid); use your mail domain.
	MessageIDDomain string `yaml:"message_id_domain"`
	// Email is the SMTP channel.
	Email *NotifyEmail `yaml:"email"`
	// SMS is the HTTP SMS gateway channel.
	SMS *NotifySMS `yaml:"sms"`
	// Webhooks are chat webhooks, referred to by name from rules and ops.
	Webhooks []NotifyWebhook `yaml:"webhooks"`
	// Ops are the on-call addresses; rules with ops: true tell them once
	// per incident.
	Ops []NotifyOps `yaml:"ops"`
	// Rules by customer tier. A tier named here replaces that tier's
	// default rule whole (README: "Notifications"); tiers not named keep
	// theirs.
	Rules map[string]NotifyRule `yaml:"rules"`
	// Sender tunes retries and rate limits.
	Sender NotifySender `yaml:"sender"`
	// Dispatch sends outages of key tiers to the on-call team and
	// escalates them (omitted: no dispatch).
	Dispatch *NotifyDispatch `yaml:"dispatch"`
	// Retention is how long finished notifications (sent, failed,
	// cancelled), their attempts and facts are kept (default 2160h, 90
	// days); pending ones are kept until they finish.
	Retention time.Duration `yaml:"retention"`
	// Maintenance says when a window's customers are told: lead (default
	// 48h) and reminder (default 2h) before its start.
	Maintenance struct {
		Lead     time.Duration `yaml:"lead"`
		Reminder time.Duration `yaml:"reminder"`
	} `yaml:"maintenance"`
}

// NotifyDispatch is notify.Dispatch in YAML.
type NotifyDispatch struct {
	// Tiers dispatched (default ab_group, diamond).
	Tiers []string `yaml:"tiers"`
	// AckTimeout before the next contact is told (default 20m).
	AckTimeout time.Duration `yaml:"ack_timeout"`
	// Limits by tier: open longer, the lead is told again (e.g. 8h).
	Limits map[string]time.Duration `yaml:"limits"`
	First  NotifyOps                `yaml:"first"`
	Second NotifyOps                `yaml:"second"`
	Lead   NotifyOps                `yaml:"lead"`
	// LinkBase is the controller's URL as recipients reach it; messages
	// carry LinkBase/ack/TOKEN, signed with the key in LinkSecretFile,
	// valid LinkValid (default 24h), usable once.
	LinkBase       string        `yaml:"link_base"`
	LinkSecretFile string        `yaml:"link_secret_file"`
	LinkValid      time.Duration `yaml:"link_valid"`
}

// NotifyEmail is the SMTP server messages are handed to.
type NotifyEmail struct {
	Host string `yaml:"host"`
	// Port defaults by tls: 587 starttls, 465 implicit, 25 none.
	Port int `yaml:"port"`
	// TLS is starttls (default), implicit, or none (a relay on loopback).
	TLS    string `yaml:"tls"`
	CAFile string `yaml:"ca_file"`
	// Username and PasswordFile authenticate; the password is read from
	// the file.
	Username     string        `yaml:"username"`
	PasswordFile string        `yaml:"password_file"`
	From         string        `yaml:"from"`
	Timeout      time.Duration `yaml:"timeout"`
}

// NotifySMS is an HTTP SMS gateway. Body and header values are
// text/templates over .To, .Text, .Subject, .Token, .MessageID, .Key.
type NotifySMS struct {
	URL       string            `yaml:"url"`
	Method    string            `yaml:"method"`
	Headers   map[string]string `yaml:"headers"`
	Body      string            `yaml:"body"`
	TokenFile string            `yaml:"token_file"`
	Timeout   time.Duration     `yaml:"timeout"`
}

// NotifyWebhook is one chat webhook.
type NotifyWebhook struct {
	Name string `yaml:"name"`
	// Kind is generic (default), wecom, dingtalk or slack.
	Kind string `yaml:"kind"`
	// URL or URLFile (when the URL holds the hook's token).
	URL     string `yaml:"url"`
	URLFile string `yaml:"url_file"`
	// Body replaces the kind's JSON body (text/template).
	Body string `yaml:"body"`
	// Language of its messages: zh-CN (default) or en.
	Language string `yaml:"language"`
}

// NotifyOps is one on-call address set.
type NotifyOps struct {
	Name     string   `yaml:"name"`
	Email    string   `yaml:"email"`
	Phone    string   `yaml:"phone"`
	Language string   `yaml:"language"`
	Webhooks []string `yaml:"webhooks"`
}

// NotifyRule is notify.Rule in YAML.
type NotifyRule struct {
	// OutageAfter: an outage this long is told (message due then); 0 = never.
	OutageAfter time.Duration `yaml:"outage_after"`
	// Flapping tells when a line starts and stops flapping, FlappingAfter
	// after it began.
	Flapping      bool          `yaml:"flapping"`
	FlappingAfter time.Duration `yaml:"flapping_after"`
	// DegradedAfter: a degradation this long is told when it ends; 0 = never.
	DegradedAfter time.Duration `yaml:"degraded_after"`
	// WeakCoverage tells when the grid cell of one of the customer's sites
	// turns weak.
	WeakCoverage   bool     `yaml:"weak_coverage"`
	Roles          []string `yaml:"roles"`
	AccountManager bool     `yaml:"account_manager"`
	Ops            bool     `yaml:"ops"`
	Channels       []string `yaml:"channels"`
	Webhooks       []string `yaml:"webhooks"`
}

// NotifySender is notify.SenderOptions in YAML.
type NotifySender struct {
	Poll           time.Duration         `yaml:"poll"`
	Workers        int                   `yaml:"workers"`
	MaxAttempts    int                   `yaml:"max_attempts"`
	BackoffInitial time.Duration         `yaml:"backoff_initial"`
	BackoffMax     time.Duration         `yaml:"backoff_max"`
	Timeout        time.Duration         `yaml:"timeout"`
	PerRecipient   NotifyRate            `yaml:"per_recipient"`
	PerChannel     map[string]NotifyRate `yaml:"per_channel"`
}

// NotifyRate is count messages per per.
type NotifyRate struct {
	Count int           `yaml:"count"`
	Per   time.Duration `yaml:"per"`
}

func (c *Config) validateNotify(bad func(field, format string, args ...any)) {
	n := c.Notify
	if n == nil {
		return
	}
	if n.Timezone != "" {
		if _, err := time.LoadLocation(n.Timezone); err != nil {
			bad("notify.timezone", "%q: %v", n.Timezone, err)
		}
	}
	if e := n.Email; e != nil {
		if e.Host == "" || e.From == "" {
			bad("notify.email", "host and from are required")
		}
		if e.TLS != "" && e.TLS != email.StartTLS && e.TLS != email.Implicit && e.TLS != email.None {
			bad("notify.email.tls", "%q is not starttls, implicit or none", e.TLS)
		}
		if e.PasswordFile != "" && e.Username == "" {
			bad("notify.email.password_file", "needs username")
		}
	}
	if s := n.SMS; s != nil && s.URL == "" {
		bad("notify.sms.url", "is required")
	}
	hooks := map[string]bool{}
	for i, w := range n.Webhooks {
		f := fmt.Sprintf("notify.webhooks[%d]", i)
		if w.Name == "" || hooks[w.Name] {
			bad(f+".name", "%q is empty or repeated", w.Name)
		}
		hooks[w.Name] = true
		if (w.URL == "") == (w.URLFile == "") {
			bad(f+".url", "give url or url_file, one of them")
		}
		if w.Kind != "" && !slices.Contains(webhook.Kinds, w.Kind) {
			bad(f+".kind", "%q is not one of %s", w.Kind, strings.Join(webhook.Kinds, ", "))
		}
	}
	for i, o := range n.Ops {
		for _, w := range o.Webhooks {
			if !hooks[w] {
				bad(fmt.Sprintf("notify.ops[%d].webhooks", i), "%q is not a configured webhook", w)
			}
		}
	}
	if n.Maintenance.Lead < 0 || n.Maintenance.Reminder < 0 || (n.Maintenance.Lead > 0 && n.Maintenance.Reminder > n.Maintenance.Lead) {
		bad("notify.maintenance", "lead and reminder must not be negative, and the reminder comes after the notice (reminder ≤ lead)")
	}
	if d := n.Dispatch; d != nil {
		for _, tier := range d.Tiers {
			if !slices.Contains(inventory.Tiers, tier) {
				bad("notify.dispatch.tiers", "%q is not a tier", tier)
			}
		}
		for tier := range d.Limits {
			if !slices.Contains(inventory.Tiers, tier) {
				bad("notify.dispatch.limits", "%q is not a tier", tier)
			}
		}
		for name, o := range map[string]NotifyOps{"first": d.First, "second": d.Second, "lead": d.Lead} {
			if o.Email == "" && o.Phone == "" && len(o.Webhooks) == 0 {
				bad("notify.dispatch."+name, "needs an email, a phone or webhooks")
			}
			for _, w := range o.Webhooks {
				if !hooks[w] {
					bad("notify.dispatch."+name+".webhooks", "%q is not a configured webhook", w)
				}
			}
		}
		if (d.LinkBase == "") != (d.LinkSecretFile == "") {
			bad("notify.dispatch.link_base", "link_base and link_secret_file go together")
		}
	}
	if n.Retention < 0 {
		bad("notify.retention", "must not be negative (0: the default, 90 days)")
	}
	for tier, r := range n.Rules {
		f := "notify.rules." + tier
		if !slices.Contains(inventory.Tiers, tier) {
			bad(f, "%q is not a tier (%s)", tier, strings.Join(inventory.Tiers, ", "))
		}
		for _, ch := range r.Channels {
			switch {
			case ch == notify.Email && n.Email == nil:
				bad(f+".channels", "email, but notify.email is not configured")
			case ch == notify.SMS && n.SMS == nil:
				bad(f+".channels", "sms, but notify.sms is not configured")
			case ch != notify.Email && ch != notify.SMS:
				bad(f+".channels", "%q is not email or sms (webhooks go under webhooks)", ch)
			}
		}
		for _, w := range r.Webhooks {
			if !hooks[w] {
				bad(f+".webhooks", "%q is not a configured webhook", w)
			}
		}
		if r.OutageAfter < 0 || r.FlappingAfter < 0 || r.DegradedAfter < 0 {
			bad(f, "outage_after, flapping_after and degraded_after must not be negative")
		}
	}
}

// NotifyOptions builds notify.Options, reading the secret files. Default
// rules whose channels are not configured keep only the configured ones.
func (n *Notify) NotifyOptions() (notify.Options, error) {
	o := notify.Options{Phone: n.Phone, MessageIDDomain: n.MessageIDDomain, Rules: notify.DefaultRules()}
	if n.Timezone != "" {
		loc, err := time.LoadLocation(n.Timezone)
		if err != nil {
			return o, fmt.Errorf("notify.timezone: %w", err)
		}
		o.Location = loc
	}
	secret := func(field, path string) (string, error) {
		if path == "" {
			return "", nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("%s: %w", field, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if e := n.Email; e != nil {
		pw, err := secret("notify.email.password_file", e.PasswordFile)
		if err != nil {
			return o, err
		}
		o.Email = &email.Options{Host: e.Host, Port: e.Port, TLS: e.TLS, CAFile: e.CAFile, Username: e.Username,
			Password: pw, From: e.From, Timeout: e.Timeout}
	}
	if s := n.SMS; s != nil {
		tok, err := secret("notify.sms.token_file", s.TokenFile)
		if err != nil {
			return o, err
		}
		o.SMS = &sms.Options{URL: s.URL, Method: s.Method, Headers: s.Headers, Body: s.Body, Token: tok, Timeout: s.Timeout}
	}
	for i, w := range n.Webhooks {
		u := w.URL
		if w.URLFile != "" {
			var err error
			if u, err = secret(fmt.Sprintf("notify.webhooks[%d].url_file", i), w.URLFile); err != nil {
				return o, err
			}
		}
		o.Webhooks = append(o.Webhooks, notify.WebhookOptions{Hook: webhook.Hook{Name: w.Name, Kind: w.Kind, URL: u, Body: w.Body},
			Language: w.Language})
	}
	for _, x := range n.Ops {
		o.Ops = append(o.Ops, notify.OpsContact{Name: x.Name, Email: x.Email, Phone: x.Phone, Language: x.Language, Webhooks: x.Webhooks})
	}
	for tier, r := range o.Rules {
		r.Channels = slices.DeleteFunc(slices.Clone(r.Channels), func(ch string) bool {
			return (ch == notify.Email && n.Email == nil) || (ch == notify.SMS && n.SMS == nil)
		})
		o.Rules[tier] = r
	}
	for tier, r := range n.Rules {
		o.Rules[tier] = notify.Rule{OutageAfter: r.OutageAfter, Flapping: r.Flapping, FlappingAfter: r.FlappingAfter,
			DegradedAfter: r.DegradedAfter, WeakCoverage: r.WeakCoverage, Roles: r.Roles, AccountManager: r.AccountManager, Ops: r.Ops, Channels: r.Channels, Webhooks: r.Webhooks}
	}
	if d := n.Dispatch; d != nil {
		key, err := secret("notify.dispatch.link_secret_file", d.LinkSecretFile)
		if err != nil {
			return o, err
		}
		ops := func(x NotifyOps) notify.OpsContact {
			return notify.OpsContact{Name: x.Name, Email: x.Email, Phone: x.Phone, Language: x.Language, Webhooks: x.Webhooks}
		}
		o.Dispatch = &notify.Dispatch{Tiers: d.Tiers, AckTimeout: d.AckTimeout, Limits: d.Limits, First: ops(d.First),
			Second: ops(d.Second), Lead: ops(d.Lead), LinkBase: d.LinkBase, LinkSecret: []byte(key), LinkValid: d.LinkValid}
	}
	o.Retention = n.Retention
	o.Maintenance = notify.MaintenanceOptions{Lead: n.Maintenance.Lead, Reminder: n.Maintenance.Reminder}
	s := n.Sender
	o.Sender = notify.SenderOptions{Poll: s.Poll, Workers: s.Workers, MaxAttempts: s.MaxAttempts, BackoffInitial: s.BackoffInitial,
		BackoffMax: s.BackoffMax, Timeout: s.Timeout, PerRecipient: notify.Rate{Count: s.PerRecipient.Count, Per: s.PerRecipient.Per}}
	if len(s.PerChannel) > 0 {
		o.Sender.PerChannel = map[string]notify.Rate{}
		for k, v := range s.PerChannel {
			o.Sender.PerChannel[k] = notify.Rate{Count: v.Count, Per: v.Per}
		}
	}
	return o, nil
}
