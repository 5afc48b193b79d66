package notify

import (
	"context"
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
// tier, for incidents starting in [from, to). It reads each table once
// (proactive_read.go), whatever the number of impacts: it used to ask two
// queries per impact, one of them scanning every incident's facts, and on
// the cluster's long form (4,600 incidents) a refresh took minutes.
func (n *Notifier) Proactive(ctx context.Context, from, to time.Time) (customers, tiers []ProactiveRow, err error) {
	in, err := n.proactiveInput(ctx, from, to)
	if err != nil {
		return nil, nil, err
	}
	now := n.opts.Now()
	byCustomer := map[string]*ProactiveRow{}
	for _, f := range in.facts {
		seen := map[string]bool{}
		for _, l := range f.Lines {
			if l.Customer == "" || l.Role != "" || seen[l.Customer] {
				continue
			}
			seen[l.Customer] = true
			tier := in.tiers[l.Customer]
			impact, told := n.impact(in, f, l.Customer, tier, now)
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
	customers, tiers = tallyProactive(byCustomer)
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
func (n *Notifier) impact(in *proactiveInput, f Facts, customer, tier string, now time.Time) (bool, bool) {
	end := f.End
	if end.IsZero() {
		end = now
	}
	complained, hasComplaint := in.firstComplaint(customer, f.Start.UnixMilli(), end.Add(ComplaintSlack).UnixMilli())
	delay, notifies := n.opts.Rules[tier].notifies(f.Kind)
	if !hasComplaint && (!notifies || end.Sub(f.Start) < delay) {
		return false, false
	}
	told, wasTold := in.firstSent(f.Incident, customer)
	return true, wasTold && (!hasComplaint || told < complained)
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

// tallyProactive turns per-customer counts into the ratio's rows: one per
// customer and one per tier, each sorted by name.
func tallyProactive(byCustomer map[string]*ProactiveRow) (customers, tiers []ProactiveRow) {
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
	return customers, tiers
}
