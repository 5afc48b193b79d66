package notify

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
)

// Dispatch kinds: the outage goes to the on-call team's first contact; not
// acknowledged within AckTimeout, to the second; still not, to the lead;
// open past its tier's limit, to the lead again (acknowledged or not).
const (
	DispatchFirst   = "dispatch_first"
	DispatchSecond  = "dispatch_second"
	DispatchLead    = "dispatch_lead"
	EscalationLimit = "escalation_limit"
)

var dispatchKinds = []string{DispatchFirst, DispatchSecond, DispatchLead, EscalationLimit}

// Dispatch configures dispatch and escalation (nil: none).
type Dispatch struct {
	// Tiers whose customers' outages are dispatched (default ab_group,
	// diamond).
	Tiers []string
	// AckTimeout is how long a contact has to acknowledge before the next
	// is told (default 20 min).
	AckTimeout time.Duration
	// Limits is how long an incident of a tier may stay open before it
	// escalates again (e.g. 8 h for key customers); 0: no limit.
	Limits map[string]time.Duration
	// First, Second and Lead are the on-call team.
	First, Second, Lead OpsContact
	// LinkBase is the controller's URL as recipients reach it
	// (https://vantage.example.net); the signed acknowledgement link is
	// LinkBase/ack/TOKEN. Empty: messages carry no link.
	LinkBase string
	// LinkSecret signs links (from a file); LinkValid is how long a link
	// works (default 24 h).
	LinkSecret []byte
	LinkValid  time.Duration
}

func (d *Dispatch) setDefaults() {
	if len(d.Tiers) == 0 {
		d.Tiers = []string{"ab_group", "diamond"}
	}
	if d.AckTimeout <= 0 {
		d.AckTimeout = 20 * time.Minute
	}
	if d.LinkValid <= 0 {
		d.LinkValid = 24 * time.Hour
	}
}

// dispatch writes (open) or cancels (ended) the incident's dispatch and
// escalation rows. They are all written when the incident opens, each due
// when its step is; an acknowledgement (Ack) or the incident's end cancels
// those still waiting.
func (n *Notifier) dispatch(ctx context.Context, tx *sql.Tx, in *incident.Incident, now time.Time) error {
	d := n.opts.Dispatch
	if d == nil || in.Kind != incident.Outage {
		return nil
	}
	tier, delay, limit, ok := "", time.Duration(0), time.Duration(0), false
	for _, c := range in.Customers() {
		if !slices.Contains(d.Tiers, c.Tier) || onlyAffected(in, c.ID) {
			continue
		}
		cd := n.opts.Rules[c.Tier].OutageAfter
		if !ok || cd < delay {
			delay = cd
		}
		if l := d.Limits[c.Tier]; l > 0 && (limit == 0 || l < limit) {
			limit, tier = l, c.Tier
		}
		if tier == "" {
			tier = c.Tier
		}
		ok = true
	}
	if !ok {
		return nil
	}
	if !in.Open() {
		_, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = 'cancelled', last_error = 'incident ended'
			WHERE incident_id = ? AND status = 'pending' AND attempts = 0 AND kind IN (?, ?, ?, ?)`,
			in.ID, DispatchFirst, DispatchSecond, DispatchLead, EscalationLimit)
		return err
	}
	// An acknowledgement of an incident merged into this one counts.
	var acked int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM notify_acks WHERE incident_id = ? OR incident_id IN
		(SELECT incident_id FROM notify_incidents WHERE CAST(json_extract(facts, '$.merged_into') AS BIGINT) = ?)`, in.ID, in.ID).Scan(&acked); err != nil {
		return err
	}
	first := in.Start.Add(delay)
	// Paged already through an incident merged into this one (its lines
	// turned out to share this one's cause, a customer of a dispatched
	// tier with them): no second first page; the escalation goes on from
	// that page's time.
	paged, err := mergedPages(ctx, tx, in.ID)
	if err != nil {
		return err
	}
	if at, ok := paged[DispatchFirst]; ok {
		first = at
	}
	// Inside a maintenance window (every line in one containing the
	// start) the on-call team is not paged: the work is planned. Still
	// open at the window's end, it is an overrun and paged then; over
	// before, its rows are cancelled above. Ops rules still tell ops,
	// marked planned (plan).
	planned, windowEnd, err := n.planned(ctx, tx, in, "")
	if err != nil {
		return err
	}
	steps := []struct {
		kind string
		who  OpsContact
		due  time.Time
	}{
		{DispatchFirst, d.First, first},
		{DispatchSecond, d.Second, first.Add(d.AckTimeout)},
		{DispatchLead, d.Lead, first.Add(2 * d.AckTimeout)},
	}
	if limit > 0 {
		steps = append(steps, struct {
			kind string
			who  OpsContact
			due  time.Time
		}{EscalationLimit, d.Lead, in.Start.Add(limit)})
	}
	for _, s := range steps {
		if _, done := paged[s.kind]; done || acked > 0 && (s.kind == DispatchSecond || s.kind == DispatchLead) {
			continue
		}
		if planned && s.due.Before(windowEnd) {
			s.due = windowEnd
		}
		for _, rc := range opsRecipients([]OpsContact{s.who}, n.webhookLang) {
			rc.Role = s.kind
			if err := n.insert(ctx, tx, in, "", tier, rc, s.kind, s.due, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergedPages returns the dispatch kinds already tried or sent for
// incidents merged into incident id, each with its earliest due time.
func mergedPages(ctx context.Context, tx *sql.Tx, id int64) (map[string]time.Time, error) {
	rows, err := tx.QueryContext(ctx, `SELECT o.kind, min(o.due_at) FROM notify_outbox o JOIN notify_incidents f
		ON f.incident_id = o.incident_id WHERE CAST(json_extract(f.facts, '$.merged_into') AS BIGINT) = ? AND o.customer_id = ''
		AND o.kind IN (?, ?, ?, ?) AND (o.status IN ('sending', 'sent') OR o.attempts > 0) GROUP BY o.kind`,
		id, DispatchFirst, DispatchSecond, DispatchLead, EscalationLimit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var kind string
		var due int64
		if err := rows.Scan(&kind, &due); err != nil {
			return nil, err
		}
		out[kind] = time.UnixMilli(due).UTC()
	}
	return out, rows.Err()
}
