package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vantage-net/vantage/controller/notify/channel"
	"github.com/vantage-net/vantage/controller/shipper"
)

// SenderOptions tune delivery. Zero values take the defaults.
type SenderOptions struct {
	// Poll is how often due messages are looked for (default 250 ms).
	Poll time.Duration
	// Workers deliver in parallel (default 4); Batch is the most messages
	// claimed per poll (default 64).
	Workers int
	Batch   int
	// MaxAttempts before a message is marked failed (default 8).
	MaxAttempts int
	// Backoff doubles from BackoffInitial up to BackoffMax between attempts
	// (defaults 2 s, 5 min).
	BackoffInitial time.Duration
	BackoffMax     time.Duration
	// PerRecipient bounds messages to one address: at most
	// PerRecipient.Count per PerRecipient.Per (default 20 per hour). A
	// message over the limit waits; it is not dropped.
	PerRecipient Rate
	// PerChannel bounds each channel's rate (default email 20/s, sms 5/s,
	// webhook 10/s); burst one second's worth.
	PerChannel map[string]Rate
	// Timeout bounds one delivery (default 30 s).
	Timeout time.Duration
}

// Rate is Count messages per Per.
type Rate struct {
	Count int
	Per   time.Duration
}

func (o *SenderOptions) setDefaults() {
	def := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	def(&o.Poll, 250*time.Millisecond)
	def(&o.BackoffInitial, 2*time.Second)
	def(&o.BackoffMax, 5*time.Minute)
	def(&o.Timeout, 30*time.Second)
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Batch <= 0 {
		o.Batch = 64
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.PerRecipient.Count <= 0 || o.PerRecipient.Per <= 0 {
		o.PerRecipient = Rate{Count: 20, Per: time.Hour}
	}
	pc := map[string]Rate{Email: {20, time.Second}, SMS: {5, time.Second}, Webhook: {10, time.Second}}
	for k, v := range o.PerChannel {
		if v.Count > 0 && v.Per > 0 {
			pc[k] = v
		}
	}
	o.PerChannel = pc
}

// Run delivers until ctx ends: first Recover, then every Poll the new
// degradation and weak-coverage events (PollEvents) and a Step, and every
// hour of the sender's clock a Prune. The gauges (refresh.go) are
// computed beside it, never in its loop: the proactive ratio reads every
// incident of 30 days, and delivery must not wait for that.
func (n *Notifier) Run(ctx context.Context) error {
	if _, err := n.Recover(ctx); err != nil {
		return err
	}
	refreshed := make(chan struct{})
	go func() {
		defer close(refreshed)
		n.refreshLoop(ctx)
	}()
	defer func() { <-refreshed }()
	t := time.NewTicker(n.opts.Sender.Poll)
	defer t.Stop()
	var lastPrune time.Time
	for {
		if now := n.opts.Now(); now.Sub(lastPrune) >= pruneEvery {
			if _, err := n.Prune(ctx); err != nil && ctx.Err() == nil {
				n.log.Warn("old notifications not pruned; retrying", "err", err)
			} else {
				lastPrune = now
			}
		}
		if err := n.PollEvents(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("degradation and weak-coverage events not read; retrying", "err", err)
		}
		n.sendDue(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// sendDue is one poll's delivery: Steps while each claims a full batch
// and delivers all of it, as more may be due (one batch per poll capped a
// sender at Batch/Poll: 128 messages/s at 500 ms). A batch the rate
// limits held back from ends the poll: the rows behind it are mostly for
// the same busy addresses, and claiming them at once would only put them
// back, batch after batch, until the whole backlog had been read and
// rewritten (TestHeldBackBatchEndsThePoll).
func (n *Notifier) sendDue(ctx context.Context) {
	for ctx.Err() == nil {
		k, held, err := n.step(ctx)
		if err != nil && ctx.Err() == nil {
			n.log.Warn("notification sender step failed; retrying", "err", err)
		}
		if err != nil || k < n.opts.Sender.Batch || held > 0 {
			return
		}
	}
}

// row is one claimed outbox row.
type row struct {
	ID                                  int64
	Key, Kind, Channel, Recipient, Name string
	Customer, Language, MessageID, Tier string
	EventRef                            string // events.go: degraded/ID/CUSTOMER, weak_coverage/ID/CUSTOMER
	Subject, Body, HTML                 string
	Incident, Maintenance               int64
	Attempts                            int
	Due, IncidentStart                  int64
}

// Step claims the messages due at the sender's clock and delivers them,
// Workers at a time; it returns how many it claimed.
func (n *Notifier) Step(ctx context.Context) (int, error) {
	k, _, err := n.step(ctx)
	return k, err
}

// step is Step, also saying how many claimed rows the rate limits held
// back (put back for later, not sent).
func (n *Notifier) step(ctx context.Context) (claimed, held int, err error) {
	now := n.opts.Now()
	rows, err := n.claim(ctx, now)
	if err != nil || len(rows) == 0 {
		return 0, 0, err
	}
	work := make(chan row)
	var wg sync.WaitGroup
	var limited atomic.Int64
	for range min(n.opts.Sender.Workers, len(rows)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range work {
				if !n.deliver(ctx, r) {
					limited.Add(1)
				}
			}
		}()
	}
	for _, r := range rows {
		work <- r
	}
	close(work)
	wg.Wait()
	n.refreshGauge(ctx)
	n.refreshCoverage(ctx)
	return len(rows), int(limited.Load()), nil
}

// claim marks due rows 'sending' and returns them, in due order. A claim
// is a lease: next_attempt_at moves to when it expires (lease), and a row
// still 'sending' then is claimed again (its sender died mid-delivery).
//
// On PostgreSQL several controllers claim from one outbox: the inner
// select skips rows another claim has locked (FOR UPDATE SKIP LOCKED), and
// the outer WHERE repeats the due test, which PostgreSQL re-checks on the
// newest row version after waiting for a lock, so a row another sender
// claimed meanwhile (leased into the future) is not claimed twice.
// SQLite has one writer at a time and needs neither. The select is a
// materialized CTE, run once: as a subquery of the UPDATE, PostgreSQL
// claimed every due row, not Batch (TestClaimTakesAtMostBatch).
func (n *Notifier) claim(ctx context.Context, now time.Time) ([]row, error) {
	lock := ""
	if n.pg {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `WITH picked AS MATERIALIZED (SELECT id FROM notify_outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?2
			ORDER BY next_attempt_at, id LIMIT ?3` + lock + `)
		UPDATE notify_outbox SET status = 'sending', next_attempt_at = ?1
		WHERE id IN (SELECT id FROM picked)
		AND status IN ('pending', 'sending') AND next_attempt_at <= ?2
		RETURNING id, key, kind, channel, recipient, recipient_name, customer_id, language, message_id,
		subject, body, html, incident_id, maintenance_id, attempts, due_at, incident_start, tier, event_ref`
	rs, err := n.opts.DB.QueryContext(ctx, q, now.Add(n.lease()).UnixMilli(), now.UnixMilli(), n.opts.Sender.Batch)
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.ID, &r.Key, &r.Kind, &r.Channel, &r.Recipient, &r.Name, &r.Customer, &r.Language, &r.MessageID,
			&r.Subject, &r.Body, &r.HTML, &r.Incident, &r.Maintenance, &r.Attempts, &r.Due, &r.IncidentStart, &r.Tier, &r.EventRef); err != nil {
			return nil, fmt.Errorf("claim: %w", err)
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// lease is how long a claim holds a row: one delivery's timeout and a
// minute for recording the outcome. Only a sender that died (or lost its
// database) holds one that long.
func (n *Notifier) lease() time.Duration { return n.opts.Sender.Timeout + time.Minute }

// deliver sends one claimed row and records the outcome; false when the
// rate limits held it back (put back, to be tried later). Every path ends
// with the row out of 'sending' (or the process dead: Recover).
func (n *Notifier) deliver(ctx context.Context, r row) bool {
	now := n.opts.Now()
	if wait := n.limits.take(r.Channel, r.Channel+":"+r.Recipient, now); wait > 0 {
		n.m.total.WithLabelValues(r.Channel, r.Kind, "rate_limited").Inc()
		n.release(ctx, r, now.Add(wait))
		return false
	}
	ch, ok := n.channels[r.Channel]
	if !ok {
		n.finish(ctx, r, now, 0, channel.Permanent(fmt.Errorf("channel %s is not configured", r.Channel)))
		return true
	}
	if r.Subject == "" {
		if err := n.render(ctx, &r); err != nil {
			n.finish(ctx, r, now, 0, err)
			return true
		}
	}
	f, _ := n.factsOf(ctx, &r) // for the lines a webhook lists; the text is rendered already
	var lines []string
	for _, l := range f.For(r.Customer).Lines {
		lines = append(lines, l.Line)
	}
	msg := channel.Message{Key: r.Key, MessageID: r.MessageID, To: r.Recipient, ToName: r.Name, Subject: r.Subject,
		Text: r.Body, HTML: r.HTML, Kind: r.Kind, Incident: r.Incident, Customer: r.Customer,
		Start: time.UnixMilli(r.IncidentStart).UTC(), Lines: lines}
	var err error
	if msg.Attachments, err = n.attachmentsOf(ctx, r.ID); err != nil {
		n.finish(ctx, r, now, 0, err)
		return true
	}
	sctx, cancel := context.WithTimeout(ctx, n.opts.Sender.Timeout)
	start := time.Now()
	err = ch.Send(sctx, msg)
	cancel()
	n.finish(ctx, r, n.opts.Now(), time.Since(start), err)
	return true
}

// release puts a rate-limited row back, to be tried at next (no attempt
// counted: nothing was sent).
func (n *Notifier) release(ctx context.Context, r row, next time.Time) {
	if _, err := n.opts.DB.ExecContext(context.WithoutCancel(ctx), `UPDATE notify_outbox SET status = 'pending',
		next_attempt_at = ? WHERE id = ?`, next.UnixMilli(), r.ID); err != nil {
		n.log.Warn("notification not released; Recover will", "id", r.ID, "err", err)
	}
}

// finish records an attempt and the row's new status in one transaction.
func (n *Notifier) finish(ctx context.Context, r row, now time.Time, took time.Duration, sendErr error) {
	ctx = context.WithoutCancel(ctx) // a stop must not leave a delivered row unrecorded
	r.Attempts++
	status, outcome, errText, next := "sent", "sent", "", now
	var queued shipper.Queued
	if sendErr != nil {
		errText = sendErr.Error()
		if channel.IsPermanent(sendErr) || r.Attempts >= n.opts.Sender.MaxAttempts {
			status, outcome = "failed", "failed"
		} else {
			status, outcome = "pending", "retry"
			next = now.Add(n.backoff(r.Attempts))
		}
	}
	err := func() error {
		tx, err := n.opts.DB.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		var sentAt any
		if status == "sent" {
			sentAt = now.UnixMilli()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = ?, attempts = ?, next_attempt_at = ?,
			last_error = ?, sent_at = ?, subject = ?, body = ?, html = ? WHERE id = ?`,
			status, r.Attempts, next.UnixMilli(), errText, sentAt, r.Subject, r.Body, r.HTML, r.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_attempts (outbox_id, at, outcome, error, duration_ms)
			VALUES (?, ?, ?, ?, ?)`, r.ID, now.UnixMilli(), outcome, errText, took.Milliseconds()); err != nil {
			return err
		}
		if queued, err = n.queuePoint(ctx, tx, r, outcome, now); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if err == nil && n.opts.Points != nil {
		n.opts.Points.Committed(queued)
	}
	if err != nil {
		n.log.Error("notification outcome not recorded; it will be sent again after a restart", "id", r.ID, "outcome", outcome, "err", err)
	}
	n.m.total.WithLabelValues(r.Channel, r.Kind, outcome).Inc()
	switch outcome {
	case "sent":
		n.m.latency.WithLabelValues(r.Channel, r.Kind).Observe(now.Sub(time.UnixMilli(r.IncidentStart)).Seconds())
		n.m.lateness.WithLabelValues(r.Channel).Observe(max(0, now.Sub(time.UnixMilli(r.Due)).Seconds()))
	case "failed":
		n.log.Warn("notification failed", "id", r.ID, "channel", r.Channel, "kind", r.Kind, "attempts", r.Attempts, "err", errText)
	}
}

func (n *Notifier) backoff(attempts int) time.Duration {
	d := n.opts.Sender.BackoffInitial
	for i := 1; i < attempts && d < n.opts.Sender.BackoffMax; i++ {
		d *= 2
	}
	return min(d, n.opts.Sender.BackoffMax)
}

// jsonInto scans a JSON text column into v.
func jsonInto(v any) sql.Scanner { return jsonScanner{v} }

type jsonScanner struct{ v any }

func (j jsonScanner) Scan(src any) error {
	switch s := src.(type) {
	case string:
		return json.Unmarshal([]byte(s), j.v)
	case []byte:
		return json.Unmarshal(s, j.v)
	}
	return nil
}
