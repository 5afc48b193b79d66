package controller

import (
	"context"
	"net/http"
	"time"

	"github.com/vantage-net/vantage/controller/apiauth"
	"github.com/vantage-net/vantage/controller/cellsamples"
	"github.com/vantage-net/vantage/controller/compare"
	"github.com/vantage-net/vantage/controller/coverage"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/places"
	"github.com/vantage-net/vantage/internal/clock"
)

// coverParts are weak coverage, the network comparison and the places
// ranking: the cell samples sink (fed by the ingest), the coverage
// evaluation (a facts stage) and the three read routes.
type coverParts struct {
	samples *cellsamples.Sink
	eval    *coverage.Evaluator
	compare *compare.Comparer
	places  *places.Ranker
}

// openCover builds them from the coverage and compare sections.
func openCover(c *Controller) error {
	cv, cp := c.cfg.Coverage, c.cfg.Compare
	p := &coverParts{}
	var err error
	if p.samples, err = cellsamples.New(cellsamples.Options{DB: c.db, Radio: cv.RadioMetrics},
		c.log.With("component", "cellsamples"), c.reg); err != nil {
		return err
	}
	bands := map[string]coverage.Band{}
	for _, q := range coverage.Quantities {
		w, g := cv.Band(q)
		bands[q] = coverage.Band{Weak: w, Good: g}
	}
	if p.eval, err = coverage.New(coverage.Options{DB: c.db, Points: c.shipper, Window: cv.Window, Interval: cv.Interval,
		WeakAfter: cv.WeakAfter, Retention: cv.Retention, WeakScore: cv.WeakScore, MinSamples: cv.MinSamples,
		Bands: bands, Ours: cp.Ours, Clock: clock.Real{}}, c.log.With("component", "coverage"), c.reg); err != nil {
		return err
	}
	if p.compare, err = compare.New(compare.Options{DB: c.db, Ours: cp.Ours, MinSamples: cp.MinSamples,
		Resamples: cp.Resamples, Confidence: cp.Confidence, Seed: cp.Seed, Margins: cp.Margins}); err != nil {
		return err
	}
	if p.places, err = places.New(places.Options{DB: c.db, Compare: p.compare, CompareWindow: cp.Window,
		Complaints: places.StoredComplaints(c.db), ComplaintWindow: time.Duration(c.cfg.Complaints.RepeatDays) * 24 * time.Hour,
		WeakScore: cv.WeakScore}); err != nil {
		return err
	}
	c.cover = p
	return nil
}

// coverRoutes adds /api/v1/coverage/cells, /api/v1/places, /api/v1/sites
// (the sites with a position, for the map) and /api/v1/compare.
// Places counts every cell's complaints, whoever's customers filed them: an
// operator's view (admin, ops), as complaints of no customer are.
func (c *Controller) coverRoutes(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/coverage/cells", coverage.Handler(c.db))
	var ranked http.Handler = places.Handler(c.cover.places, time.Now)
	if *c.cfg.APIAuth {
		ranked = apiauth.RequireRole(apiauth.Admin, apiauth.Ops)(ranked)
	}
	mux.Handle("GET /api/v1/places", ranked)
	var sites http.Handler = inventory.SitesHandler(inventory.NewSQLStore(c.db))
	if *c.cfg.APIAuth {
		sites = apiauth.RequireRole(apiauth.Admin, apiauth.Ops)(sites)
	}
	mux.Handle("GET /api/v1/sites", sites)
	mux.Handle("GET /api/v1/compare", compare.Handler(c.cover.compare, time.Now))
}

// coverRun evaluates coverage until ctx ends.
func (c *Controller) coverRun(ctx context.Context) error {
	c.cover.eval.Run(ctx)
	return nil
}
