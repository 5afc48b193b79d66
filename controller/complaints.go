package controller

import (
	"context"
	"net/http"
	"time"

	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/complaints"
)

// openComplaints opens the complaints store with the config's settings.
func openComplaints(c *Controller) error {
	p := c.cfg.Complaints
	var err error
	c.complaints, err = complaints.New(complaints.Options{DB: c.db, Window: p.WindowBefore,
		GridPrecision: p.GridPrecision, MaxSiteDistanceM: p.MaxSiteDistanceM, RepeatCount: p.RepeatCount,
		RepeatWindow: time.Duration(p.RepeatDays) * 24 * time.Hour, Recheck: p.Recheck,
		Interval: p.ReevaluateInterval, Points: c.shipper, Compare: c.cover.compare}, c.log.With("component", "complaints"), c.reg)
	return err
}

// complaintsComponent re-judges open and recent complaints as line
// health's late evidence arrives (complaints.Store.Run).
func (c *Controller) complaintsComponent() component {
	return component{"complaints", func(ctx context.Context) error { c.complaints.Run(ctx); return nil }}
}

// registerComplaints adds /api/v1/complaints: posting is for admin and
// ops, reading is scoped (an account manager sees their customers'
// complaints only; complaints linked to no customer are operator business).
func (c *Controller) registerComplaints(mux *http.ServeMux) {
	o := complaints.HTTPOptions{Location: c.cfg.Complaints.Location()}
	if *c.cfg.APIAuth {
		o.Writers = apiauth.RequireRole(apiauth.Admin, apiauth.Ops)
		o.Scope = func(r *http.Request) ([]string, bool) {
			p, ok := apiauth.FromContext(r.Context())
			if !ok {
				return nil, false
			}
			return p.Customers()
		}
	}
	complaints.Register(mux, c.complaints, c.log.With("component", "api"), o)
}
