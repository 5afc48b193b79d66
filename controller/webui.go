package controller

import (
	"net/http"

	"github.com/vantage-net/vantage/controller/webui"
)

// registerUI adds the web UI (/ui/, and / redirecting to it), which reads
// every page through api, the same /api/v1 handler clients use.
func (c *Controller) registerUI(mux *http.ServeMux, api http.Handler) error {
	var tiles *webui.Tiles
	if t := c.cfg.UI.Tiles; t != nil {
		tiles = &webui.Tiles{URL: t.URL, Attribution: t.Attribution, MaxZoom: t.MaxZoom}
	}
	ui, err := webui.New(webui.Options{API: api, AuthEnabled: *c.cfg.APIAuth, DB: c.db, Tiles: tiles,
		Influx: webui.InfluxOptions{URL: c.cfg.Influx.URL, Bucket: c.cfg.Influx.Bucket, Token: c.cfg.Influx.Token}}, c.log.With("component", "webui"), c.reg)
	if err != nil {
		return err
	}
	ui.Register(mux)
	return nil
}
