package controller

import (
	"context"
	"net/http"

	"github.com/vantage-net/vantage/controller/incident"

	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/linehealth"
	"github.com/vantage-net/vantage/controller/notify"
)

// openNotify builds the notifier of the notify block (nil without). It
// opens before line health, whose commits call its rule engine.
func openNotify(c *Controller) error {
	if c.cfg.Notify == nil {
		return nil
	}
	o, err := c.cfg.Notify.NotifyOptions()
	if err != nil {
		return err
	}
	o.DB, o.Points = c.db, c.shipper
	c.notifier, err = notify.New(o, c.log.With("component", "notify"), c.reg)
	return err
}

// notifyHook is line health's incident hook: the notifier, or none.
func (c *Controller) notifyHook() linehealth.IncidentHook {
	if c.notifier == nil {
		return nil
	}
	return c.notifier
}

// notifyTimeline adds the notifier's entries to incidents' timelines in
// the API (nil without a notifier).
func (c *Controller) notifyTimeline() func(context.Context, int64, func(string) bool) ([]incident.Entry, error) {
	if c.notifier == nil {
		return nil
	}
	return c.notifier.Timeline
}

// notifyComponents is the sender, stopped with the shipper (after line
// health's final commit, whose messages it may still send).
func (c *Controller) notifyComponents() []component {
	if c.notifier == nil {
		return nil
	}
	return []component{{"notify", c.notifier.Run}}
}

// registerNotify adds GET /api/v1/notifications, scoped like the rest of
// the API (an account manager sees their customers' messages only).
func (c *Controller) registerNotify(mux *http.ServeMux) {
	if c.notifier == nil {
		return
	}
	var scope notify.ScopeFunc
	if *c.cfg.APIAuth {
		scope = func(r *http.Request) ([]string, bool) {
			p, ok := apiauth.FromContext(r.Context())
			if !ok {
				return nil, false
			}
			return p.Customers()
		}
	}
	c.notifier.Register(mux, scope)
	c.notifier.RegisterProactive(mux, scope)
	wrap := func(h http.Handler) http.Handler { return h }
	if *c.cfg.APIAuth {
		wrap = apiauth.RequireRole(apiauth.Admin, apiauth.Ops)
	}
	c.notifier.RegisterAckAPI(mux, wrap)
	c.notifier.RegisterMaintenance(mux, wrap)
}

// registerAckLinks serves the signed acknowledgement links of dispatch
// messages, outside /api/v1/ (no bearer token: the signature is the proof).
func (c *Controller) registerAckLinks(mux *http.ServeMux) {
	if c.notifier != nil {
		c.notifier.RegisterAckLinks(mux)
	}
}
