package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/notify/channel"
	"github.com/vantage-net/vantage/controller/notify/channel/email"
	"github.com/vantage-net/vantage/controller/notify/channel/sms"
	"github.com/vantage-net/vantage/controller/notify/channel/webhook"
	"github.com/vantage-net/vantage/controller/store/sqldb"
)

// Options configure a Notifier. controller/config builds them from the
// notify section (secrets already read from their files).
type Options struct {
	DB *sql.DB
	// Rules by customer tier; a tier without a rule is told nothing.
	Rules map[string]Rule
	// Ops are the on-call addresses rules with Ops tell.
	Ops []OpsContact
	// Location is where quiet hours and message times are read (default
	// Asia/Shanghai).
	Location *time.Location
	// Phone is the number messages give to call; From names the sender in
	// message text.
	Phone string
	// MessageIDDomain is the right-hand side of Message-IDs (default
	// vantage.invalid).
	MessageIDDomain string
	// Email, SMS: nil means the channel is not configured (its messages
	// fail at once, counted).
	Email    *email.Options
	SMS      *sms.Options
	Webhooks []WebhookOptions
	Sender   SenderOptions
	// Dispatch sends outages to the on-call team and escalates them
	// (dispatch.go); nil: no dispatch.
	Dispatch *Dispatch
	// Maintenance says when windows are announced (maintenance.go).
	Maintenance MaintenanceOptions
	// Points queues a `notification` point per delivery outcome
	// (points.go), in the transaction that records it; nil: none.
	Points Points
	// Retention is how long finished notifications (sent, failed,
	// cancelled) and their attempts and facts are kept (default 90 days,
	// DefaultRetention); pending ones are kept until they finish.
	Retention time.Duration
	// Now is the clock of the sender (due times, backoff, rate limits,
	// retention).
	Now func() time.Time
	// Channels replaces the channels built from Email/SMS/Webhooks, by
	// channel name (tests, the demo's .eml writer).
	Channels map[string]channel.Sender
}

// WebhookOptions is one webhook and the language of its messages.
type WebhookOptions struct {
	webhook.Hook
	Language string
}

// Notifier is the rule engine (IncidentsChanged), the sender (Run, Step)
// and the log's API (Register).
type Notifier struct {
	opts        Options
	log         *slog.Logger
	m           *metrics
	channels    map[string]channel.Sender
	webhookLang map[string]string
	limits      *limiter
	tmpl        *templates
	// pg: the outbox is on PostgreSQL, shared with other controllers
	// (claim, Recover).
	pg bool
}

// New checks the options and builds the channels.
func New(o Options, log *slog.Logger, reg prometheus.Registerer) (*Notifier, error) {
	if o.DB == nil {
		return nil, errors.New("notify: DB is required")
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		o.Location = loc
	}
	if o.MessageIDDomain == "" {
		o.MessageIDDomain = "vantage.invalid"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rules == nil {
		o.Rules = DefaultRules()
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	o.Sender.setDefaults()
	if o.Maintenance.Lead <= 0 {
		o.Maintenance.Lead = 48 * time.Hour
	}
	if o.Maintenance.Reminder <= 0 {
		o.Maintenance.Reminder = 2 * time.Hour
	}
	if o.Dispatch != nil {
		o.Dispatch.setDefaults()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &Notifier{opts: o, log: log, m: newMetrics(reg), channels: map[string]channel.Sender{},
		webhookLang: map[string]string{}, limits: newLimiter(o.Sender), pg: sqldb.Postgres(o.DB)}
	names := map[string]bool{}
	var hooks []webhook.Hook
	for _, w := range o.Webhooks {
		names[w.Name] = true
		n.webhookLang[w.Name] = w.Language
		hooks = append(hooks, w.Hook)
	}
	for tier, r := range o.Rules {
		if err := r.check(names); err != nil {
			return nil, fmt.Errorf("notify: rules.%s.%w", tier, err)
		}
	}
	var err error
	if n.tmpl, err = loadTemplates(); err != nil {
		return nil, err
	}
	if o.Email != nil {
		if n.channels[Email], err = email.New(*o.Email); err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
	}
	if o.SMS != nil {
		if n.channels[SMS], err = sms.New(*o.SMS); err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
	}
	if len(hooks) > 0 {
		if n.channels[Webhook], err = webhook.New(hooks, 0); err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
	}
	for k, v := range o.Channels {
		n.channels[k] = v
	}
	return n, nil
}

// Recover puts back to pending what a crashed sender had claimed and not
// recorded: it is sent again, with the same Message-ID (README: the one
// place a duplicate is possible). Run calls it first. On SQLite every
// claim is this controller's own, from before its restart; on PostgreSQL
// another controller may be delivering its claims right now, so only
// claims past their lease go back (claim also takes those, while running).
func (n *Notifier) Recover(ctx context.Context) (int64, error) {
	// The claim leased next_attempt_at into the future; the row is due now.
	now := n.opts.Now().UnixMilli()
	q, args := `UPDATE notify_outbox SET status = 'pending', next_attempt_at = ? WHERE status = 'sending'`, []any{now}
	if n.pg {
		q += ` AND next_attempt_at <= ?`
		args = append(args, now)
	}
	res, err := n.opts.DB.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("notify: recover: %w", err)
	}
	k, _ := res.RowsAffected()
	if k > 0 {
		n.log.Warn("notifications claimed before a crash are sent again (same Message-ID)", "messages", k)
	}
	return k, nil
}
