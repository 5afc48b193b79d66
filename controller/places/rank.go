package places

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/vantage-net/vantage/controller/compare"
	"github.com/vantage-net/vantage/controller/coverage"
)

// CellComplaints are one cell's complaints in the window.
type CellComplaints struct {
	Cell       string
	Complaints int
	Repeats    int
	WeakSignal int
	Last       time.Time
}

// ComplaintCounts returns complaints per grid cell received in [from, to).
type ComplaintCounts func(ctx context.Context, from, to time.Time) ([]CellComplaints, error)

// Options configure a Ranker.
type Options struct {
	DB *sql.DB
	// Compare finds the cells where our network is behind; nil: none.
	Compare *compare.Comparer
	// Complaints counts complaints per cell; nil: none.
	Complaints ComplaintCounts
	// ComplaintWindow is how far back complaints and past weak-coverage
	// events count (default 30 days, the repeat window).
	ComplaintWindow time.Duration
	// CompareWindow is the period compared (default 24h).
	CompareWindow time.Duration
	// WeakScore is coverage's weak score (how deep below it a cell is).
	WeakScore float64
}

// Ranker ranks places to fix.
type Ranker struct{ opts Options }

// New returns a Ranker.
func New(o Options) (*Ranker, error) {
	if o.DB == nil {
		return nil, errors.New("places: a database is required")
	}
	if o.ComplaintWindow <= 0 {
		o.ComplaintWindow = 30 * 24 * time.Hour
	}
	if o.CompareWindow <= 0 {
		o.CompareWindow = 24 * time.Hour
	}
	if o.WeakScore <= 0 {
		o.WeakScore = 50
	}
	return &Ranker{opts: o}, nil
}

// Reason is one piece of evidence behind a place's rank.
type Reason struct {
	// Kind is weak_coverage, past_weak_coverage, complaints,
	// weak_signal_complaints, repeat_complaints or behind_competitor.
	Kind   string  `json:"kind"`
	Text   string  `json:"text"`
	Points float64 `json:"points"`
}

// Place is one ranked grid cell.
type Place struct {
	Rank    int      `json:"rank"`
	Cell    string   `json:"cell"`
	Score   float64  `json:"score"`
	Reasons []Reason `json:"reasons"`
	// Coverage is the cell's coverage score, when it has one.
	Coverage   *float64 `json:"coverage_score,omitempty"`
	Complaints int      `json:"complaints"`
	Repeats    int      `json:"repeats"`
}

// Rank returns places with at least one reason, highest score first (then
// cell), as of now.
func (r *Ranker) Rank(ctx context.Context, now time.Time) ([]Place, error) {
	o := r.opts
	by := map[string]*Place{}
	get := func(cell string) *Place {
		if by[cell] == nil {
			by[cell] = &Place{Cell: cell, Reasons: []Reason{}}
		}
		return by[cell]
	}
	add := func(p *Place, kind, text string, pts float64) {
		p.Reasons = append(p.Reasons, Reason{Kind: kind, Text: text, Points: math.Round(pts*10) / 10})
		p.Score += pts
	}
	cells, err := coverage.Cells(ctx, o.DB, false)
	if err != nil {
		return nil, err
	}
	for _, c := range cells {
		if c.Score != nil {
			v := *c.Score
			get(c.Cell).Coverage = &v
		}
		switch {
		case c.Weak && c.Event != nil:
			depth := 0.0
			if c.Score != nil {
				depth = math.Max(0, math.Min(1, (o.WeakScore-*c.Score)/o.WeakScore)) * weakDepthMax
			}
			add(get(c.Cell), "weak_coverage", fmt.Sprintf("weak coverage since %s: score %s < %g (%s)",
				c.Event.StartedAt.Format(time.RFC3339), scoreText(c.Score), o.WeakScore, c.Event.Reason), weakOpen+depth)
		case c.BelowSince != nil:
			add(get(c.Cell), "weak_coverage", fmt.Sprintf("coverage below the weak score since %s: score %s < %g",
				c.BelowSince.Format(time.RFC3339), scoreText(c.Score), o.WeakScore), weakBelow)
		}
	}
	from := now.Add(-o.ComplaintWindow)
	events, err := coverage.Events(ctx, o.DB, from, now)
	if err != nil {
		return nil, err
	}
	past := map[string]int{}
	for _, e := range events {
		if e.EndedAt != nil {
			past[e.Cell]++
		}
	}
	for cell, n := range past {
		add(get(cell), "past_weak_coverage", fmt.Sprintf("%d weak-coverage event(s) ended in the last %s", n, days(o.ComplaintWindow)),
			math.Min(pastEventMax, pastEvent*float64(n)))
	}
	if o.Complaints != nil {
		counts, err := o.Complaints(ctx, from, now)
		if err != nil {
			return nil, fmt.Errorf("places: complaints: %w", err)
		}
		for _, c := range counts {
			if c.Complaints == 0 {
				continue
			}
			p := get(c.Cell)
			p.Complaints, p.Repeats = c.Complaints, c.Repeats
			add(p, "complaints", fmt.Sprintf("%d complaint(s) in the last %s, latest %s", c.Complaints, days(o.ComplaintWindow),
				c.Last.UTC().Format(time.RFC3339)), math.Min(complaintMax, perComplaint*float64(c.Complaints)))
			if c.WeakSignal > 0 {
				add(p, "weak_signal_complaints", fmt.Sprintf("%d about weak signal", c.WeakSignal),
					math.Min(weakSignalMax, perWeakSignal*float64(c.WeakSignal)))
			}
			if c.Repeats > 0 {
				add(p, "repeat_complaints", fmt.Sprintf("%d repeat complaint(s)", c.Repeats),
					math.Min(repeatMax, perRepeat*float64(c.Repeats)))
			}
		}
	}
	if o.Compare != nil {
		behind, err := o.Compare.Behind(ctx, now.Add(-o.CompareWindow), now)
		if err != nil {
			return nil, fmt.Errorf("places: compare: %w", err)
		}
		for cell, reps := range behind {
			p := get(cell)
			pts := 0.0
			for _, rep := range reps {
				for _, d := range rep.Versus {
					if d.Verdict != compare.Behind {
						continue
					}
					add(p, "behind_competitor", fmt.Sprintf("%s behind %s on %s: %s %+.4g %s (%.0f%% interval %.4g..%.4g) over the last %s",
						rep.Ours, d.Competitor, rep.Test, rep.Statistic, d.Difference, rep.Unit, rep.Confidence*100, d.Low, d.High, days(o.CompareWindow)),
						math.Min(perBehindTest, behindMax-pts))
					pts = math.Min(behindMax, pts+perBehindTest)
					break // one reason per test
				}
			}
		}
	}
	out := make([]Place, 0, len(by))
	for _, p := range by {
		if len(p.Reasons) == 0 {
			continue
		}
		p.Score = math.Round(p.Score*10) / 10
		sort.SliceStable(p.Reasons, func(i, j int) bool { return p.Reasons[i].Points > p.Reasons[j].Points })
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Cell < out[j].Cell
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}

func scoreText(s *float64) string {
	if s == nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f", *s)
}

func days(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
