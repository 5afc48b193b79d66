package complaints

import (
	"context"
	"fmt"
	"time"

	"github.com/vantage-net/vantage/controller/compare"
)

// Comparer finds the tests on which our network is behind a competitor in
// a cell (*compare.Comparer).
type Comparer interface {
	BehindIn(ctx context.Context, cell string, from, to time.Time) ([]compare.Report, error)
}

// gatherCompare attaches, for each of the complaint's cells that agents
// measured, every test and competitor our network was behind over the
// window (evidence kind behind_competitor, one item per test). It is
// evidence about the place, not a verdict of its own: the verdicts are
// about our thresholds, and a network behind a competitor may still meet
// them; the places-to-fix ranking weighs it. Cells without samples cost
// nothing (the bootstrap runs only where there are samples).
func (r *resolver) gatherCompare(ctx context.Context, c Comparer, cells []string, from, to time.Time) (lineEvidence, error) {
	var e lineEvidence
	if err := r.loadSampled(ctx); err != nil {
		return e, err
	}
	for _, cell := range cells {
		if !r.sampled[cell] {
			continue
		}
		reps, err := c.BehindIn(ctx, cell, from, to)
		if err != nil {
			return e, fmt.Errorf("compare %s: %w", cell, err)
		}
		for _, rep := range reps {
			for _, d := range rep.Versus {
				if d.Verdict != compare.Behind {
					continue
				}
				e.monitored = true
				e.items = append(e.items, Evidence{Kind: "behind_competitor", Cell: cell, Start: &rep.From, End: &rep.To,
					Note: fmt.Sprintf("%s behind %s on %s: %s %+.4g %s (%.0f%% interval %.4g..%.4g; %s)",
						rep.Ours, d.Competitor, rep.Test, rep.Statistic, d.Difference, rep.Unit, rep.Confidence*100,
						d.Low, d.High, samplesOf(rep))})
				break // one item per test
			}
		}
	}
	return e, nil
}

// samplesOf says how many samples each network had.
func samplesOf(rep compare.Report) string {
	s := ""
	for i, n := range rep.Networks {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s n=%d", n.Network, n.N)
	}
	return s
}
