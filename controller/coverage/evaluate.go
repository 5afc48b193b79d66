package coverage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/vantage-net/vantage/controller/cellsamples"
	"github.com/vantage-net/vantage/controller/shipper"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/probes/result"
)

// Queue is where coverage points go: *shipper.Shipper, in the evaluation's
// own transaction.
type Queue interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, pts []shipper.Point) (shipper.Queued, error)
	Committed(q shipper.Queued)
}

// Options configure an Evaluator (controller/config.Coverage).
type Options struct {
	DB     *sql.DB
	Points Queue
	// Window, Interval, WeakAfter, Retention, WeakScore and MinSamples as
	// in the config's coverage section.
	Window, Interval, WeakAfter, Retention time.Duration
	WeakScore                              float64
	MinSamples                             int
	// Bands are the weak and good values per quantity.
	Bands map[string]Band
	// Ours is our network's tag (compare.ours): throughput measured over
	// it counts for coverage, over a competitor's uplink it does not.
	Ours string
	// Clock is the controller's clock (default clock.Real).
	Clock clock.Clock
}

// Evaluator evaluates coverage periodically.
type Evaluator struct {
	opts   Options
	log    *slog.Logger
	opened prometheus.Counter
	errs   prometheus.Counter
}

// New returns an Evaluator; metrics are registered with reg (nil: not registered).
func New(o Options, log *slog.Logger, reg prometheus.Registerer) (*Evaluator, error) {
	if o.DB == nil {
		return nil, errors.New("coverage: a database is required")
	}
	if o.Window <= 0 || o.Interval <= 0 || o.MinSamples < 1 || o.WeakScore <= 0 {
		return nil, errors.New("coverage: window, interval, min_samples and weak_score must be positive")
	}
	for _, q := range Quantities {
		if b, ok := o.Bands[q]; !ok || b.Good <= b.Weak {
			return nil, fmt.Errorf("coverage: band of %s missing or not weak < good", q)
		}
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := promauto.With(reg)
	return &Evaluator{opts: o, log: log,
		opened: f.NewCounter(prometheus.CounterOpts{Name: "vantage_controller_coverage_events_opened_total",
			Help: "Weak-coverage events opened (a grid cell below the weak score for weak_after)."}),
		errs: f.NewCounter(prometheus.CounterOpts{Name: "vantage_controller_coverage_evaluation_errors_total",
			Help: "Coverage evaluations that failed (retried at the next interval)."}),
	}, nil
}

// Run evaluates every Interval until ctx ends.
func (e *Evaluator) Run(ctx context.Context) {
	t := e.opts.Clock.NewTicker(e.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			if _, err := e.Evaluate(ctx, e.opts.Clock.Now()); err != nil && ctx.Err() == nil {
				e.errs.Inc()
				e.log.Warn("coverage evaluation failed", "err", err)
			}
		}
	}
}

// CellResult is one cell's evaluation.
type CellResult struct {
	Cell  string
	Score float64
	Known bool // enough samples for a score
	Weak  bool // an open weak-coverage event
	Sites map[string]float64
}

// cellState is a coverage_cells row.
type cellState struct {
	belowSince sql.NullInt64
	openEvent  sql.NullInt64
}

// Evaluate scores every cell with samples in the window ending at now,
// advances the cells' weak state and events, queues the points and prunes
// old samples, all in one transaction.
func (e *Evaluator) Evaluate(ctx context.Context, now time.Time) ([]CellResult, error) {
	o := e.opts
	samples, err := cellsamples.Query(ctx, o.DB, "", now.Add(-o.Window), now.Add(time.Millisecond), Quantities...)
	if err != nil {
		return nil, err
	}
	// cell → site → quantity → values; cell → quantity → values
	bySite := map[string]map[string]map[string][]float64{}
	byCell := map[string]map[string][]float64{}
	for _, s := range samples {
		if s.Network != "" && s.Network != o.Ours {
			continue // a competitor's network is not our coverage
		}
		if bySite[s.Cell] == nil {
			bySite[s.Cell] = map[string]map[string][]float64{}
			byCell[s.Cell] = map[string][]float64{}
		}
		if bySite[s.Cell][s.Site] == nil {
			bySite[s.Cell][s.Site] = map[string][]float64{}
		}
		bySite[s.Cell][s.Site][s.Test] = append(bySite[s.Cell][s.Site][s.Test], s.Value)
		byCell[s.Cell][s.Test] = append(byCell[s.Cell][s.Test], s.Value)
	}
	tx, err := o.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	prev, err := loadStates(ctx, tx)
	if err != nil {
		return nil, err
	}
	cells := make([]string, 0, len(byCell))
	for c := range byCell {
		cells = append(cells, c)
	}
	for c := range prev {
		if _, ok := byCell[c]; !ok {
			cells = append(cells, c)
		}
	}
	sort.Strings(cells)
	var out []CellResult
	var pts []shipper.Point
	var opened, closed []string
	for _, cell := range cells {
		r := CellResult{Cell: cell, Sites: map[string]float64{}}
		siteNames := make([]string, 0, len(bySite[cell]))
		for s := range bySite[cell] {
			siteNames = append(siteNames, s)
		}
		sort.Strings(siteNames)
		sum := 0.0
		for _, site := range siteNames {
			sc, parts, ok := scoreOf(bySite[cell][site], o.Bands, o.MinSamples)
			if !ok {
				continue
			}
			r.Sites[site] = sc
			sum += sc
			pts = append(pts, point(now, site, cell, sc, parts, sc < o.WeakScore))
		}
		_, cellParts, _ := scoreOf(byCell[cell], o.Bands, o.MinSamples)
		st := prev[cell]
		if len(r.Sites) > 0 {
			r.Known = true
			r.Score = sum / float64(len(r.Sites))
			if r.Score < o.WeakScore {
				if !st.belowSince.Valid {
					st.belowSince = sql.NullInt64{Int64: now.UnixMilli(), Valid: true}
				}
				if st.openEvent.Valid {
					if _, err := tx.ExecContext(ctx, `UPDATE coverage_events SET min_score = min(min_score, ?), reason = ? WHERE id = ?`,
						r.Score, reasons(cellParts, o.Bands), st.openEvent.Int64); err != nil {
						return nil, fmt.Errorf("coverage: %w", err)
					}
				} else if now.Sub(time.UnixMilli(st.belowSince.Int64)) >= o.WeakAfter {
					var id int64
					if err := tx.QueryRowContext(ctx, `INSERT INTO coverage_events (cell, started_at, min_score, reason) VALUES (?, ?, ?, ?)
						RETURNING id`, cell, st.belowSince.Int64, r.Score, reasons(cellParts, o.Bands)).Scan(&id); err != nil {
						return nil, fmt.Errorf("coverage: %w", err)
					}
					st.openEvent = sql.NullInt64{Int64: id, Valid: true}
					opened = append(opened, cell)
				}
			} else {
				st.belowSince = sql.NullInt64{}
				if st.openEvent.Valid {
					if _, err := tx.ExecContext(ctx, `UPDATE coverage_events SET ended_at = ? WHERE id = ?`, now.UnixMilli(), st.openEvent.Int64); err != nil {
						return nil, fmt.Errorf("coverage: %w", err)
					}
					st.openEvent = sql.NullInt64{}
					closed = append(closed, cell)
				}
			}
			pts = append(pts, point(now, "", cell, r.Score, cellParts, st.openEvent.Valid))
		}
		// Without samples the cell keeps its state: silence is not recovery.
		r.Weak = st.openEvent.Valid
		detail, _ := json.Marshal(map[string]any{"quantities": cellParts, "sites": r.Sites})
		var score any
		if r.Known {
			score = r.Score
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO coverage_cells (cell, score, weak, below_since, open_event, detail, evaluated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (cell) DO UPDATE SET score = excluded.score, weak = excluded.weak, below_since = excluded.below_since,
				open_event = excluded.open_event, detail = excluded.detail, evaluated_at = excluded.evaluated_at`,
			cell, score, boolInt(r.Weak), st.belowSince, st.openEvent, string(detail), now.UnixMilli()); err != nil {
			return nil, fmt.Errorf("coverage: %w", err)
		}
		out = append(out, r)
	}
	if o.Retention > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cell_samples WHERE t_ms < ?`, now.Add(-o.Retention).UnixMilli()); err != nil {
			return nil, fmt.Errorf("coverage: prune: %w", err)
		}
	}
	var queued shipper.Queued
	if o.Points != nil {
		if queued, err = o.Points.EnqueueTx(ctx, tx, pts); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	if o.Points != nil {
		o.Points.Committed(queued)
	}
	e.opened.Add(float64(len(opened)))
	for _, c := range opened {
		e.log.Info("weak coverage event opened", "cell", c, "below_for_at_least", o.WeakAfter)
	}
	for _, c := range closed {
		e.log.Info("weak coverage event closed", "cell", c)
	}
	return out, nil
}

func loadStates(ctx context.Context, tx *sql.Tx) (map[string]cellState, error) {
	rows, err := tx.QueryContext(ctx, `SELECT cell, below_since, open_event FROM coverage_cells`)
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	defer rows.Close()
	out := map[string]cellState{}
	for rows.Next() {
		var c string
		var st cellState
		if err := rows.Scan(&c, &st.belowSince, &st.openEvent); err != nil {
			return nil, fmt.Errorf("coverage: %w", err)
		}
		out[c] = st
	}
	return out, rows.Err()
}

// point is a coverage point of a site (site != "") or of a cell.
func point(now time.Time, site, cell string, score float64, parts map[string]part, weak bool) shipper.Point {
	tags := map[string]string{"grid": cell}
	if site != "" {
		tags["site"] = site
	}
	fields := map[string]float64{"score": round(score), "weak": float64(boolInt(weak))}
	for q, p := range parts {
		fields[q] = p.Median
	}
	return shipper.Point{Result: result.Result{Time: now, Measurement: "coverage", Tags: tags, Fields: fields}}
}

func round(v float64) float64 { return math.Round(v*100) / 100 }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
