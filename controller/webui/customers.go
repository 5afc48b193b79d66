package webui

import (
	"context"
	"net/http"
	"net/url"
	"sort"

	"github.com/vantage-net/vantage/controller/linehealth"
)

// tierGroup is the customers of one tier.
type tierGroup struct {
	Tier      string
	Customers []linehealth.CustomerView
}

type customersData struct {
	Tiers []tierGroup
	// One is set on a single customer's page, with its lines.
	One   *linehealth.CustomerView
	Lines []linehealth.LineView
}

// allCustomers reads every customer the session's scope sees, bounded.
func (u *UI) allCustomers(ctx context.Context, v *view) ([]linehealth.CustomerView, error) {
	var all []linehealth.CustomerView
	after := ""
	for page := 0; page < maxLinePages; page++ {
		var body struct {
			Customers []linehealth.CustomerView `json:"customers"`
			Next      string                    `json:"next"`
		}
		if err := u.get(ctx, v.ss, "/api/v1/customers?limit=1000&after="+url.QueryEscape(after), &body); err != nil {
			return nil, err
		}
		all = append(all, body.Customers...)
		if body.Next == "" {
			break
		}
		after = body.Next
	}
	return all, nil
}

// customers is GET /ui/customers: the customers in scope by tier, with
// their lines' states.
func (u *UI) customers(w http.ResponseWriter, r *http.Request, v *view) {
	all, err := u.allCustomers(r.Context(), v)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	idx := map[string]int{}
	d := &customersData{}
	for _, c := range all {
		i, ok := idx[string(c.Tier)]
		if !ok {
			i = len(d.Tiers)
			idx[string(c.Tier)] = i
			d.Tiers = append(d.Tiers, tierGroup{Tier: string(c.Tier)})
		}
		d.Tiers[i].Customers = append(d.Tiers[i].Customers, c)
	}
	sort.Slice(d.Tiers, func(i, j int) bool { return d.Tiers[i].Tier < d.Tiers[j].Tier })
	v.Title, v.Data = v.L["customers"], d
	u.render(w, http.StatusOK, "customers", v)
}

// customer is GET /ui/customers/{id}: a customer outside the scope is not
// among the API's customers, and is the 404 page like an unknown one.
func (u *UI) customer(w http.ResponseWriter, r *http.Request, v *view) {
	all, err := u.allCustomers(r.Context(), v)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	id := r.PathValue("id")
	d := &customersData{}
	for i := range all {
		if all[i].ID == id {
			d.One = &all[i]
		}
	}
	if d.One == nil {
		u.notFound(w, r, v)
		return
	}
	after := ""
	for page := 0; page < maxLinePages; page++ {
		var body struct {
			Lines []linehealth.LineView `json:"lines"`
			Next  string                `json:"next"`
		}
		if err := u.get(r.Context(), v.ss, "/api/v1/lines?limit=1000&after="+url.QueryEscape(after), &body); err != nil {
			u.fail(w, r, v, err)
			return
		}
		for _, l := range body.Lines {
			if l.Customer == id {
				d.Lines = append(d.Lines, l)
			}
		}
		if body.Next == "" {
			break
		}
		after = body.Next
	}
	v.Title, v.Data = v.L["customer"]+" "+id, d
	u.render(w, http.StatusOK, "customers", v)
}
