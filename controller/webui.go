package controller

import (
	"net/http"

	"github.com/vantage-net/vantage/controller/webui"
)

// registerUI adds the web UI (/ui/, and / redirecting to it), which reads
// every page through api, the same /api/v1 handler clients use.
func (c *Controller) registerUI(mux *http.ServeMux, api http.Handler) error {
	ui, err := webui.New(webui.Options{API: api, AuthEnabled: *c.cfg.APIAuth, DB: c.db,
		Influx: webui.InfluxOptions{URL: c.cfg.Influx.URL, Bucket: c.cfg.Influx.Bucket, Token: c.cfg.Influx.Token}}, c.log.With("component", "webui"), c.reg)
	if err != nil {
		return err
	}
	ui.Register(mux)
	return nil
}
