package controller

import (
	"context"
	"net/http"

	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/report"
)

// reportParts are customer-impact reports (controller/report): the
// builder behind the API and the scheduled delivery (nil unless the
// report block turns weekly or monthly delivery on; needs a notifier).
type reportParts struct {
	builder  *report.Builder
	schedule *report.Scheduler
}

// openReports builds the report builder and, when delivery is on, the
// scheduler mailing account managers through the notify outbox.
func openReports(c *Controller) error {
	p := c.cfg.Report
	o := report.Options{DB: c.db, Location: p.Location(), Targets: report.Targets(p.SLATargets)}
	if c.notifier != nil {
		o.Proactive = c.notifier.Proactive
	}
	b, err := report.New(o)
	if err != nil {
		return err
	}
	c.reports = &reportParts{builder: b}
	if (p.Delivery.Weekly || p.Delivery.Monthly) && c.notifier != nil {
		c.reports.schedule = report.NewScheduler(b, c.notifier, report.ScheduleOptions{Weekly: p.Delivery.Weekly,
			Monthly: p.Delivery.Monthly, Formats: p.Delivery.Formats, Languages: p.Languages,
			Fonts: report.Fonts{Path: p.Font}, Interval: p.Delivery.Interval}, c.log.With("component", "report"), c.reg)
	}
	return nil
}

// reportComponents is the scheduled delivery, if on.
func (c *Controller) reportComponents() []component {
	if c.reports == nil || c.reports.schedule == nil {
		return nil
	}
	return []component{{"report", func(ctx context.Context) error { c.reports.schedule.Run(ctx); return nil }}}
}

// registerReports adds GET /api/v1/reports/customers/{id}: an account
// manager gets their own customers' reports only (404 otherwise).
func (c *Controller) registerReports(mux *http.ServeMux) {
	o := report.HTTPOptions{Languages: c.cfg.Report.Languages, Fonts: report.Fonts{Path: c.cfg.Report.Font}}
	if *c.cfg.APIAuth {
		o.Scope = func(r *http.Request) ([]string, bool) {
			p, ok := apiauth.FromContext(r.Context())
			if !ok {
				return nil, false
			}
			return p.Customers()
		}
	}
	report.Register(mux, c.reports.builder, c.log.With("component", "api"), o)
}
