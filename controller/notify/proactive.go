package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/vantage-net/vantage/internal/serve"
)

// The proactive ratio: of the impacts a customer had, the share they were
// told about before any complaint about them.
//
// An impact is an (incident, customer) pair: an incident that started in
// the period, not merged into another, with a line of the customer's among
// its causes, that either lasted at least the customer's tier's delay
// (outage_after; for flapping, a tier that tells flapping) — what the
// rules promise to tell — or drew a complaint linked to the customer
// between its start and an hour after its end. It was told first when a
// message of the incident (or of one merged into it) reached one of the
// customer's recipients (status sent) before the first such complaint, or
// with no complaint at all.

// ProactiveRow is one customer's or tier's figures.
type ProactiveRow struct {
	Customer  string  `json:"customer,omitempty"`
	Tier      string  `json:"tier"`
	Impacts   int     `json:"impacts"`
	ToldFirst int     `json:"told_first"`
	Ratio     float64 `json:"ratio"` // 1 with no impacts
}

// ComplaintSlack is how long after an incident's end a complaint still
// counts as about it.
const ComplaintSlack = time.Hour

var customerKinds = []string{OutageStart, OutageEnd, FlappingStart, FlappingEnd}

// Proactive computes the ratio per customer (those with impacts) and per
// tier, for incidents starting in [from, to).
func (n *Notifier) Proactive(ctx context.Context, from, to time.Time) (customers, tiers []ProactiveRow, err error) {
	rows, err := n.opts.DB.QueryContext(ctx, `SELECT incident_id, facts FROM notify_incidents WHERE updated_at >= ?`, from.UnixMilli())
	if err != nil {
		return nil, nil, err
	}
	var facts []Facts
	for rows.Next() {
		var id int64
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			rows.Close()
			return nil, nil, err
		}
		var f Facts
		if json.Unmarshal([]byte(raw), &f) == nil && !f.Start.Before(from) && f.Start.Before(to) && f.MergedInto == 0 {
			f.Incident = id
			facts = append(facts, f)
		}
	}
	rows.Close()
	now := n.opts.Now()
	byCustomer := map[string]*ProactiveRow{}
	tierOf := map[string]string{}
	for _, f := range facts {
		seen := map[string]bool{}
		for _, l := range f.Lines {
			if l.Customer == "" || l.Role != "" || seen[l.Customer] {
				continue
			}
			seen[l.Customer] = true
			tier, ok := tierOf[l.Customer]
			if !ok {
				if err := n.opts.DB.QueryRowContext(ctx, `SELECT tier FROM customers WHERE id = ?`, l.Customer).Scan(&tier); err != nil &&
					err != sql.ErrNoRows {
					return nil, nil, err
				}
				tierOf[l.Customer] = tier
			}
			impact, told, err := n.impact(ctx, f, l.Customer, tier, now)
			if err != nil {
				return nil, nil, err
			}
			if !impact {
				continue
			}
			r := byCustomer[l.Customer]
			if r == nil {
				r = &ProactiveRow{Customer: l.Customer, Tier: tier}
				byCustomer[l.Customer] = r
			}
			r.Impacts++
			if told {
				r.ToldFirst++
			}
		}
	}
	byTier := map[string]*ProactiveRow{}
	for _, r := range byCustomer {
		r.Ratio = float64(r.ToldFirst) / float64(r.Impacts)
		customers = append(customers, *r)
		t := byTier[r.Tier]
		if t == nil {
			t = &ProactiveRow{Tier: r.Tier}
			byTier[r.Tier] = t
		}
		t.Impacts += r.Impacts
		t.ToldFirst += r.ToldFirst
	}
	for _, t := range byTier {
		t.Ratio = float64(t.ToldFirst) / float64(t.Impacts)
		tiers = append(tiers, *t)
	}
	slices.SortFunc(customers, func(a, b ProactiveRow) int { return cmpStr(a.Customer, b.Customer) })
	slices.SortFunc(tiers, func(a, b ProactiveRow) int { return cmpStr(a.Tier, b.Tier) })
	return customers, tiers, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// impact decides whether (incident, customer) is an impact and whether the
// customer was told before complaining.
func (n *Notifier) impact(ctx context.Context, f Facts, customer, tier string, now time.Time) (bool, bool, error) {
	end := f.End
	if end.IsZero() {
		end = now
	}
	var complained sql.NullInt64
	if err := n.opts.DB.QueryRowContext(ctx, `SELECT min(received_at) FROM complaints WHERE linked_customer = ?
		AND received_at >= ? AND received_at <= ?`, customer, f.Start.UnixMilli(), end.Add(ComplaintSlack).UnixMilli()).
		Scan(&complained); err != nil {
		return false, false, fmt.Errorf("complaints of %s: %w", customer, err)
	}
	delay, notifies := n.opts.Rules[tier].notifies(f.Kind)
	if !complained.Valid && (!notifies || end.Sub(f.Start) < delay) {
		return false, false, nil
	}
	var told sql.NullInt64
	if err := n.opts.DB.QueryRowContext(ctx, `SELECT min(o.sent_at) FROM notify_outbox o WHERE o.customer_id = ? AND o.status = 'sent'
		AND o.kind IN (?, ?, ?, ?) AND (o.incident_id = ? OR o.incident_id IN (SELECT incident_id FROM notify_incidents
		WHERE CAST(json_extract(facts, '$.merged_into') AS BIGINT) = ?))`, customer, customerKinds[0], customerKinds[1], customerKinds[2],
		customerKinds[3], f.Incident, f.Incident).Scan(&told); err != nil {
		return false, false, err
	}
	first := told.Valid && (!complained.Valid || told.Int64 < complained.Int64)
	return true, first, nil
}

// RegisterProactive adds GET /api/v1/proactive?from=&to= (RFC 3339;
// default the last 30 days): per customer (an account manager's own only)
// and per tier (admin and ops: all customers' figures).
func (n *Notifier) RegisterProactive(mux *http.ServeMux, scope ScopeFunc) {
	mux.HandleFunc("GET /api/v1/proactive", func(w http.ResponseWriter, r *http.Request) {
		to := n.opts.Now()
		from := to.Add(-30 * 24 * time.Hour)
		for _, p := range []struct {
			name string
			t    *time.Time
		}{{"from", &from}, {"to", &to}} {
			if v := r.URL.Query().Get(p.name); v != "" {
				t, err := time.Parse(time.RFC3339, v)
				if err != nil {
					serve.JSON(w, http.StatusBadRequest, apiError{p.name + " must be RFC 3339", p.name})
					return
				}
				*p.t = t
			}
		}
		customers, tiers, err := n.Proactive(r.Context(), from, to)
		if err != nil {
			n.log.Error("proactive ratio", "err", err)
			serve.JSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
			return
		}
		if scope != nil {
			if ids, all := scope(r); !all {
				customers = slices.DeleteFunc(customers, func(c ProactiveRow) bool { return !slices.Contains(ids, c.Customer) })
				tiers = nil // tier figures span other managers' customers
			}
		}
		if customers == nil {
			customers = []ProactiveRow{}
		}
		if tiers == nil {
			tiers = []ProactiveRow{}
		}
		serve.JSON(w, http.StatusOK, map[string]any{"from": from.UTC(), "to": to.UTC(), "customers": customers, "tiers": tiers})
	})
}

// refreshProactive sets the per-tier gauge over the last 30 days.
func (n *Notifier) refreshProactive(ctx context.Context) {
	now := n.opts.Now()
	_, tiers, err := n.Proactive(ctx, now.Add(-30*24*time.Hour), now)
	if err != nil {
		n.log.Warn("proactive ratio", "err", err)
		return
	}
	n.m.proactive.Reset()
	for _, t := range tiers {
		n.m.proactive.WithLabelValues(t.Tier).Set(t.Ratio)
	}
}
