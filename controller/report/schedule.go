package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/notify"
	"github.com/vantage-net/vantage/controller/notify/channel"
)

// Mailer is where scheduled reports go: controller/notify's outbox.
type Mailer interface {
	EnqueueMail(ctx context.Context, m notify.Mail) (bool, error)
}

// ScheduleOptions configure the scheduled delivery.
type ScheduleOptions struct {
	Weekly, Monthly bool
	// Formats attached per customer (default pdf).
	Formats []string
	// Languages by account manager; zh-CN otherwise.
	Languages map[string]string
	Fonts     Fonts
	// Interval between looks for a period to deliver (default 5m).
	Interval time.Duration
}

// Scheduler mails each account manager, after each week and month, their
// portfolio with each customer's report attached: one mail per manager
// and period, made idempotent by the outbox key (report/<period>/<start>/<manager>).
type Scheduler struct {
	b     *Builder
	mail  Mailer
	o     ScheduleOptions
	log   *slog.Logger
	total *prometheus.CounterVec
	looks prometheus.Counter
}

// NewScheduler builds a scheduler; reg may be nil.
func NewScheduler(b *Builder, mail Mailer, o ScheduleOptions, log *slog.Logger, reg prometheus.Registerer) *Scheduler {
	if len(o.Formats) == 0 {
		o.Formats = []string{"pdf"}
	}
	if o.Interval <= 0 {
		o.Interval = 5 * time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	_ = o.Fonts.Load() // once; a missing font is the PDF's error, at render
	s := &Scheduler{b: b, mail: mail, o: o, log: log, total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vantage_report_deliveries_total",
		Help: "Scheduled report mails by period (week, month) and outcome: queued, skipped_no_email (the account manager is not an email address), failed.",
	}, []string{"period", "outcome"}), looks: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "vantage_report_schedule_looks_total",
		Help: "Looks for report mails due (each Interval); a period already queued is not queued again.",
	})}
	if reg != nil {
		reg.MustRegister(s.total, s.looks)
	}
	return s
}

// Run delivers due periods every Interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.o.Interval)
	defer t.Stop()
	for {
		if _, err := s.Step(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduled reports", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Step queues the mails of the last whole week and month (as enabled)
// not queued yet, and returns how many it queued.
func (s *Scheduler) Step(ctx context.Context) (int, error) {
	s.looks.Inc()
	now, loc := s.b.o.Now(), s.b.o.Location
	type period struct {
		name     string
		from, to time.Time
	}
	var periods []period
	if s.o.Weekly {
		to := WeekStart(now, loc)
		periods = append(periods, period{"week", to.AddDate(0, 0, -7), to})
	}
	if s.o.Monthly {
		to := MonthStart(now, loc)
		periods = append(periods, period{"month", to.AddDate(0, -1, 0), to})
	}
	managers, err := s.managers(ctx)
	if err != nil {
		return 0, err
	}
	queued := 0
	var errs []error
	for _, p := range periods {
		for _, m := range managers {
			if !strings.Contains(m, "@") {
				s.total.WithLabelValues(p.name, "skipped_no_email").Inc()
				continue
			}
			key := fmt.Sprintf("report/%s/%s/%s", p.name, p.from.In(loc).Format("2006-01-02"), m)
			var n int
			if err := s.b.o.DB.QueryRowContext(ctx, `SELECT count(*) FROM notify_outbox WHERE key = ?`, key).Scan(&n); err != nil {
				return queued, err
			}
			if n > 0 {
				continue
			}
			mail, err := s.compose(ctx, key, p.name, m, p.from, p.to)
			if err == nil {
				var added bool
				if added, err = s.mail.EnqueueMail(ctx, mail); added {
					queued++
					s.total.WithLabelValues(p.name, "queued").Inc()
					s.log.Info("report mail queued", "manager", m, "period", p.name, "from", p.from, "attachments", len(mail.Attachments))
				}
			}
			if err != nil { // the next look tries again; the other managers' mails go now
				s.total.WithLabelValues(p.name, "failed").Inc()
				errs = append(errs, fmt.Errorf("report mail to %s for the %s of %s: %w", m, p.name, p.from.In(loc).Format("2006-01-02"), err))
			}
		}
	}
	return queued, errors.Join(errs...)
}

func (s *Scheduler) managers(ctx context.Context) ([]string, error) {
	rows, err := s.b.o.DB.QueryContext(ctx, `SELECT DISTINCT account_manager FROM customers WHERE account_manager <> '' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("account managers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// compose builds one manager's mail: the portfolio as the body, each
// customer's report in each format attached.
func (s *Scheduler) compose(ctx context.Context, key, period, manager string, from, to time.Time) (notify.Mail, error) {
	loc := s.b.o.Location
	lang := normLang(s.o.Languages[manager])
	p, err := s.b.Portfolio(ctx, manager, from, to, lang, nil)
	if err != nil {
		return notify.Mail{}, err
	}
	var html bytes.Buffer
	if err := PortfolioHTML(&html, p, loc); err != nil {
		return notify.Mail{}, err
	}
	span := from.In(loc).Format("2006-01-02") + " – " + to.Add(-time.Second).In(loc).Format("2006-01-02")
	subject := map[string]string{"week": "客户影响周报 ", "month": "客户影响月报 "}[period] + span
	text := fmt.Sprintf("%s %s，%d 个客户，按影响排序：\n", t(lang, "portfolio"), span, len(p.Customers))
	if lang == "en" {
		subject = map[string]string{"week": "Weekly", "month": "Monthly"}[period] + " customer impact reports " + span
		text = fmt.Sprintf("%s %s, %d customers, by impact:\n", t(lang, "portfolio"), span, len(p.Customers))
	}
	for _, c := range p.Customers {
		text += fmt.Sprintf("%d. %s (%s) %s %s%%, %s %s, %s %d\n", c.Rank, c.Name, c.Customer, t(lang, "shortfall"), pct(c.ShortfallPct),
			t(lang, "outage_min"), mins(c.OutageSeconds), t(lang, "repeat"), c.Repeats)
	}
	m := notify.Mail{Key: key, Kind: "report_" + map[string]string{"week": "weekly", "month": "monthly"}[period], To: manager,
		Role: "account_manager", Language: lang, Subject: subject, Text: text, HTML: html.String(), Due: s.b.o.Now()}
	for _, r := range p.Reports {
		for _, f := range s.o.Formats {
			var buf bytes.Buffer
			if err := Render(&buf, r, f, loc, s.o.Fonts); err != nil {
				return m, err
			}
			m.Attachments = append(m.Attachments, channel.Attachment{Name: FileName(r, f), ContentType: ContentType(f), Data: buf.Bytes()})
		}
	}
	return m, nil
}
