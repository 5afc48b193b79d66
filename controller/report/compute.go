package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is a customer the inventory does not know.
var ErrNotFound = errors.New("report: no such customer")

// Customer builds the report of customer id over [from, to) in language
// lang (zh-CN or en).
func (b *Builder) Customer(ctx context.Context, id string, from, to time.Time, lang string) (*Report, error) {
	if !to.After(from) {
		return nil, fmt.Errorf("report: to (%s) must be after from (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	r := &Report{From: from, To: to, Zone: b.o.Location.String(), Language: normLang(lang), Made: b.o.Now()}
	err := b.o.DB.QueryRowContext(ctx, `SELECT id, name, tier, account_manager FROM customers WHERE id = ?`, id).
		Scan(&r.Customer.ID, &r.Customer.Name, &r.Customer.Tier, &r.Customer.AccountManager)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("report: customer %s: %w", id, err)
	}
	if err := b.lines(ctx, r); err != nil {
		return nil, err
	}
	if err := b.incidents(ctx, r); err != nil {
		return nil, err
	}
	if err := b.complaints(ctx, r); err != nil {
		return nil, err
	}
	if err := b.notifications(ctx, r); err != nil {
		return nil, err
	}
	summarize(r)
	r.Tree = tree(r)
	return r, nil
}

// lines fills each line's figures from line_events: one query for the
// customer's lines and one over their events in the period. Retracted
// events count nowhere; provisional ones count (and are counted apart).
func (b *Builder) lines(ctx context.Context, r *Report) error {
	rows, err := b.o.DB.QueryContext(ctx, `SELECT circuit_id, z_end, sla_availability_pct FROM lines
		WHERE customer_id = ? ORDER BY circuit_id`, r.Customer.ID)
	if err != nil {
		return fmt.Errorf("report: lines: %w", err)
	}
	idx := map[string]int{}
	for rows.Next() {
		var l Line
		var target sql.NullFloat64
		if err := rows.Scan(&l.ID, &l.ZEnd, &target); err != nil {
			rows.Close()
			return err
		}
		l.TargetPct = b.o.Targets[r.Customer.Tier]
		if target.Valid {
			l.TargetPct = target.Float64
		}
		idx[l.ID] = len(r.Lines)
		r.Lines = append(r.Lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	from, to := r.From.UnixMilli(), r.To.UnixMilli()
	now := min(b.o.Now().UnixMilli(), to)
	rows, err = b.o.DB.QueryContext(ctx, `SELECT e.circuit_id, e.kind, e.started_at, coalesce(e.ended_at, ?), e.ended_at IS NULL,
			e.final, coalesce(e.loss_pct, 0), coalesce(e.rtt_ms, 0), coalesce(e.jitter_ms, 0)
		FROM line_events e JOIN lines l ON l.circuit_id = e.circuit_id
		WHERE l.customer_id = ? AND e.retracted_at IS NULL AND e.started_at < ? AND coalesce(e.ended_at, ?) > ?`,
		now, r.Customer.ID, to, now, from)
	if err != nil {
		return fmt.Errorf("report: line events: %w", err)
	}
	defer rows.Close()
	days := newDays(r.From, r.To, b.o.Location)
	for rows.Next() {
		var id, kind string
		var start, end int64
		var open, final bool
		var loss, rtt, jitter float64
		if err := rows.Scan(&id, &kind, &start, &end, &open, &final, &loss, &rtt, &jitter); err != nil {
			return err
		}
		l := &r.Lines[idx[id]]
		in := float64(max(0, min(end, to)-max(start, from))) / 1e3
		days.add(kind, max(start, from), min(end, to))
		if !final {
			l.Provisional++
		}
		switch kind {
		case "outage":
			l.Outages++
			l.OutageSeconds += in
			l.LongestSeconds = max(l.LongestSeconds, in)
			if !open && end >= from && end < to {
				l.Restored++
				l.repairTotal += float64(end-start) / 1e3
			}
		case "flap":
			l.Flaps++
			l.FlapSeconds += in
		case "degraded":
			l.Degradations++
			l.DegradedSeconds += in
			l.lossW += loss * in
			l.rttW += rtt * in
			l.jtW += jitter * in
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	r.Days = days.out
	period := r.To.Sub(r.From).Seconds()
	for i := range r.Lines {
		l := &r.Lines[i]
		l.DownSeconds = l.OutageSeconds + l.FlapSeconds
		l.AvailabilityPct = 100 * max(0, 1-l.DownSeconds/period)
		l.Met = l.AvailabilityPct >= l.TargetPct
		if !l.Met {
			l.ShortfallPct = l.TargetPct - l.AvailabilityPct
		}
		if l.Restored > 0 {
			l.MTTRSeconds = l.repairTotal / float64(l.Restored)
		}
		if l.DegradedSeconds > 0 {
			l.MeanLossPct, l.MeanRTTMs, l.MeanJitterMs = l.lossW/l.DegradedSeconds, l.rttW/l.DegradedSeconds, l.jtW/l.DegradedSeconds
		}
	}
	return nil
}

// incidents lists the incidents with a line of the customer that touch
// the period (merged ones are part of the one they merged into), their
// timeline cut to the customer's lines and the incident-wide steps.
func (b *Builder) incidents(ctx context.Context, r *Report) error {
	from, to := r.From.UnixMilli(), r.To.UnixMilli()
	now := min(b.o.Now().UnixMilli(), to)
	rows, err := b.o.DB.QueryContext(ctx, `SELECT i.id, i.kind, i.started_at, i.ended_at, i.root_element, i.cause, i.cause_note, i.timeline
		FROM incidents i WHERE i.merged_into IS NULL AND i.started_at < ? AND coalesce(i.ended_at, ?) > ?
			AND i.id IN (SELECT incident_id FROM incident_lines WHERE customer_id = ?)
		ORDER BY i.started_at, i.id`, to, now, from, r.Customer.ID)
	if err != nil {
		return fmt.Errorf("report: incidents: %w", err)
	}
	defer rows.Close()
	mine := map[string]bool{}
	for _, l := range r.Lines {
		mine[l.ID] = true
	}
	members, err := b.members(ctx, r.Customer.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var in Incident
		var start int64
		var end sql.NullInt64
		var tl string
		if err := rows.Scan(&in.ID, &in.Kind, &start, &end, &in.Root, &in.Cause, &in.CauseNote, &tl); err != nil {
			return err
		}
		in.Start = time.UnixMilli(start).UTC()
		stop := now
		if end.Valid {
			in.End, stop = time.UnixMilli(end.Int64).UTC(), end.Int64
		}
		in.Seconds = float64(stop-start) / 1e3
		var entries []Entry
		if err := json.Unmarshal([]byte(tl), &entries); err != nil {
			return fmt.Errorf("report: incident %d timeline: %w", in.ID, err)
		}
		in.Lines = members[in.ID]
		in.Timeline = []Entry{}
		for _, e := range entries {
			if e.Line != "" && !mine[e.Line] {
				continue
			}
			if len(in.Timeline) < b.o.TimelineMax {
				e.Time = e.Time.UTC()
				in.Timeline = append(in.Timeline, e)
			}
		}
		if in.Lines == nil {
			in.Lines = []string{}
		}
		if in.Kind == "flapping" {
			for _, id := range in.Lines {
				for i := range r.Lines {
					if r.Lines[i].ID == id {
						r.Lines[i].FlappingPeriods++
					}
				}
			}
		}
		r.Incidents = append(r.Incidents, in)
	}
	return rows.Err()
}

// members are the customer's lines of each incident, sorted.
func (b *Builder) members(ctx context.Context, customer string) (map[int64][]string, error) {
	rows, err := b.o.DB.QueryContext(ctx, `SELECT incident_id, circuit_id FROM incident_lines WHERE customer_id = ?
		ORDER BY incident_id, circuit_id`, customer)
	if err != nil {
		return nil, fmt.Errorf("report: incident lines: %w", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var line string
		if err := rows.Scan(&id, &line); err != nil {
			return nil, err
		}
		out[id] = append(out[id], line)
	}
	return out, rows.Err()
}

// complaints lists the complaints linked to the customer received in the
// period, with their verdicts.
func (b *Builder) complaints(ctx context.Context, r *Report) error {
	rows, err := b.o.DB.QueryContext(ctx, `SELECT id, received_at, category, verdict, repeat, lines FROM complaints
		WHERE linked_customer = ? AND received_at >= ? AND received_at < ? ORDER BY received_at, id`,
		r.Customer.ID, r.From.UnixMilli(), r.To.UnixMilli())
	if err != nil {
		return fmt.Errorf("report: complaints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Complaint
		var at int64
		var lines string
		if err := rows.Scan(&c.ID, &at, &c.Category, &c.Verdict, &c.Repeat, &lines); err != nil {
			return err
		}
		c.Received = time.UnixMilli(at).UTC()
		if json.Unmarshal([]byte(lines), &c.Lines) != nil || c.Lines == nil {
			c.Lines = []string{}
		}
		r.Complaints = append(r.Complaints, c)
	}
	return rows.Err()
}

// notifications counts the messages sent to the customer's recipients in
// the period and takes the proactive ratio from controller/notify.
func (b *Builder) notifications(ctx context.Context, r *Report) error {
	if b.o.Proactive == nil {
		return nil
	}
	n := &Notifications{ByChannel: map[string]int{}, ProactiveRatio: 1}
	rows, err := b.o.DB.QueryContext(ctx, `SELECT channel, count(*) FROM notify_outbox WHERE customer_id = ? AND status = 'sent'
		AND sent_at >= ? AND sent_at < ? GROUP BY channel`, r.Customer.ID, r.From.UnixMilli(), r.To.UnixMilli())
	if err != nil {
		return fmt.Errorf("report: notifications: %w", err)
	}
	for rows.Next() {
		var ch string
		var c int
		if err := rows.Scan(&ch, &c); err != nil {
			rows.Close()
			return err
		}
		n.ByChannel[ch] = c
		n.Sent += c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	customers, _, err := b.o.Proactive(ctx, r.From, r.To)
	if err != nil {
		return fmt.Errorf("report: proactive ratio: %w", err)
	}
	for _, c := range customers {
		if c.Customer == r.Customer.ID {
			n.Impacts, n.ToldFirst, n.ProactiveRatio = c.Impacts, c.ToldFirst, c.Ratio
		}
	}
	r.Notifications = n
	return nil
}

// summarize adds the lines up.
func summarize(r *Report) {
	s := &r.Summary
	s.Lines = len(r.Lines)
	var down, repair float64
	restored := 0
	for _, l := range r.Lines {
		if !l.Met {
			s.LinesMissed++
		}
		s.ShortfallPct += l.ShortfallPct
		down += l.DownSeconds
		s.Outages += l.Outages
		s.OutageSeconds += l.OutageSeconds
		s.LongestSeconds = max(s.LongestSeconds, l.LongestSeconds)
		s.Flaps += l.Flaps
		s.FlappingPeriods += l.FlappingPeriods
		s.Degradations += l.Degradations
		s.DegradedSeconds += l.DegradedSeconds
		repair += l.repairTotal
		restored += l.Restored
	}
	s.AvailabilityPct = 100
	if s.Lines > 0 {
		s.AvailabilityPct = 100 * max(0, 1-down/(float64(s.Lines)*r.To.Sub(r.From).Seconds()))
	}
	if restored > 0 {
		s.MTTRSeconds = repair / float64(restored)
	}
	s.Incidents = len(r.Incidents)
	s.Complaints = len(r.Complaints)
	for _, c := range r.Complaints {
		if c.Verdict == "confirmed" {
			s.Confirmed++
		}
		if c.Repeat {
			s.Repeats++
		}
	}
	if r.Lines == nil {
		r.Lines = []Line{}
	}
	if r.Incidents == nil {
		r.Incidents = []Incident{}
	}
	if r.Complaints == nil {
		r.Complaints = []Complaint{}
	}
}
