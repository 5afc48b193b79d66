package cellsamples

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/vantage-net/vantage/probes/result"
)

// Reasons a result gives no samples, the reason label of
// vantage_controller_cell_samples_skipped_total.
const (
	ReasonNoSite = "no_site" // no site tag, or a site the inventory lacks
	ReasonNoCell = "no_cell" // the site has no grid cell (no coordinates)
	// ReasonNotHotspot: coverage values (radio, unbound throughput) of a
	// site that is not a hotspot; coverage judges hotspots only.
	ReasonNotHotspot = "not_hotspot"
)

// Options configure a Sink.
type Options struct {
	// DB is the controller's database (cell_samples, sites). Required.
	DB *sql.DB
	// Radio maps an snmp metric tag to its radio quantity (coverage.radio_metrics).
	Radio map[string]string
	// Refresh is how often the sites' cells are re-read (default 1m); a
	// site not yet known causes a re-read at most every MissRefresh (5s).
	Refresh, MissRefresh time.Duration
	// Now is the controller's clock (default time.Now).
	Now func() time.Time
}

// Sink stores the samples of results (ingest.Sink). Handle is called one
// message at a time.
type Sink struct {
	opts    Options
	log     *slog.Logger
	stored  prometheus.Counter
	skipped *prometheus.CounterVec

	mu       sync.Mutex
	cells    map[string]siteCell // by site id
	loadedAt time.Time
	missedAt time.Time
}

// New returns a Sink; metrics are registered with reg (nil: not registered).
func New(o Options, log *slog.Logger, reg prometheus.Registerer) (*Sink, error) {
	if o.DB == nil {
		return nil, errors.New("cellsamples: a database is required")
	}
	if o.Refresh <= 0 {
		o.Refresh = time.Minute
	}
	if o.MissRefresh <= 0 {
		o.MissRefresh = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := promauto.With(reg)
	return &Sink{opts: o, log: log,
		stored: f.NewCounter(prometheus.CounterOpts{Name: "vantage_controller_cell_samples_stored_total",
			Help: "Samples stored per grid cell for coverage and network comparison."}),
		skipped: f.NewCounterVec(prometheus.CounterOpts{Name: "vantage_controller_cell_samples_skipped_total",
			Help: "Results with coverage or comparison values not stored as cell samples, by reason (no_site, no_cell, not_hotspot)."},
			[]string{"reason"}),
	}, nil
}

// Handle stores the samples of one message's results in one transaction.
func (s *Sink) Handle(ctx context.Context, agent string, results []result.Result) error {
	type row struct {
		cell, site, network, target string
		t                           int64
		v                           Value
	}
	var rows []row
	for _, r := range results {
		vals := Extract(r, s.opts.Radio)
		if len(vals) == 0 {
			continue
		}
		site := r.Tags["site"]
		sc, known, err := s.cellOf(ctx, site)
		if err != nil {
			return err
		}
		switch {
		case !known:
			s.skipped.WithLabelValues(ReasonNoSite).Inc()
			continue
		case sc.cell == "":
			s.skipped.WithLabelValues(ReasonNoCell).Inc()
			continue
		case !sc.hotspot && r.Tags["network"] == "":
			// Unbound values are coverage's (radio, throughput): hotspots only.
			s.skipped.WithLabelValues(ReasonNotHotspot).Inc()
			continue
		}
		cell := sc.cell
		target := r.Tags["target"]
		if target == "" {
			target = r.Tags["device"]
		}
		for _, v := range vals {
			rows = append(rows, row{cell, site, r.Tags["network"], target, r.Time.UnixMilli(), v})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	tx, err := s.opts.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("cell samples: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	st, err := tx.PrepareContext(ctx, `INSERT INTO cell_samples
		(cell, test, network, site, agent, target, t_ms, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (cell, test, network, t_ms, site, agent, target) DO UPDATE SET value = excluded.value`)
	if err != nil {
		return fmt.Errorf("cell samples: %w", err)
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r.cell, r.v.Test, r.network, r.site, agent, r.target, r.t, r.v.Value); err != nil {
			return fmt.Errorf("cell samples: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("cell samples: %w", err)
	}
	s.stored.Add(float64(len(rows)))
	return nil
}

// siteCell is what the sink knows of a site.
type siteCell struct {
	cell    string // '' when the site has no coordinates
	hotspot bool
}

// cellOf returns a site's grid cell and kind, and whether the inventory
// knows the site.
func (s *Sink) cellOf(ctx context.Context, site string) (siteCell, bool, error) {
	if site == "" {
		return siteCell{}, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	if s.cells == nil || now.Sub(s.loadedAt) >= s.opts.Refresh {
		if err := s.load(ctx, now); err != nil {
			return siteCell{}, false, err
		}
	}
	cell, ok := s.cells[site]
	if !ok && now.Sub(s.missedAt) >= s.opts.MissRefresh {
		s.missedAt = now
		if err := s.load(ctx, now); err != nil {
			return siteCell{}, false, err
		}
		cell, ok = s.cells[site]
	}
	return cell, ok, nil
}

func (s *Sink) load(ctx context.Context, now time.Time) error {
	rows, err := s.opts.DB.QueryContext(ctx, `SELECT id, grid_cell, kind = 'hotspot' FROM sites`)
	if err != nil {
		return fmt.Errorf("cell samples: sites: %w", err)
	}
	defer rows.Close()
	cells := map[string]siteCell{}
	for rows.Next() {
		var id string
		var sc siteCell
		if err := rows.Scan(&id, &sc.cell, &sc.hotspot); err != nil {
			return fmt.Errorf("cell samples: sites: %w", err)
		}
		cells[id] = sc
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cell samples: sites: %w", err)
	}
	s.cells, s.loadedAt = cells, now
	return nil
}
