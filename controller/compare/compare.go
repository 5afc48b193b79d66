package compare

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/vantage-net/vantage/controller/cellsamples"
)

// Options configure a Comparer (controller/config.Compare).
type Options struct {
	DB *sql.DB
	// Ours is our network's tag; every other network is a competitor.
	Ours       string
	MinSamples int
	Resamples  int
	Confidence float64
	Seed       uint64
	// Margins override Tests' default margins per test.
	Margins map[string]float64
}

// Comparer answers comparisons from the stored cell samples.
type Comparer struct{ opts Options }

// New returns a Comparer.
func New(o Options) (*Comparer, error) {
	if o.DB == nil {
		return nil, errors.New("compare: a database is required")
	}
	if o.MinSamples < 1 || o.Resamples < 1 || !(o.Confidence > 0 && o.Confidence < 1) {
		return nil, errors.New("compare: min_samples, resamples and confidence out of range")
	}
	return &Comparer{opts: o}, nil
}

// Ours is our network's tag ("" when not configured).
func (c *Comparer) Ours() string { return c.opts.Ours }

// Report is the answer of GET /api/v1/compare.
type Report struct {
	Cell string    `json:"cell"`
	Test string    `json:"test"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Unit string    `json:"unit"`
	// Better is "lower" or "higher": which way is better for this test.
	Better string `json:"better"`
	// Statistic is "median" or "mean": what the difference is of.
	Statistic string    `json:"statistic"`
	Ours      string    `json:"ours"`
	Networks  []Summary `json:"networks"`
	Versus    []Diff    `json:"versus"`
	// Verdict is our network's over all competitors (Overall).
	Verdict    string  `json:"verdict"`
	Confidence float64 `json:"confidence"`
	MinSamples int     `json:"min_samples"`
	Margin     float64 `json:"margin"`
	Method     string  `json:"method"`
}

// ErrUnknownTest is returned for a test not in Tests.
var ErrUnknownTest = errors.New("unknown test")

// Compare compares the networks of one cell on one test over [from, to).
func (c *Comparer) Compare(ctx context.Context, cell, test string, from, to time.Time) (Report, error) {
	t, ok := Tests[test]
	if !ok {
		return Report{}, fmt.Errorf("%w %q", ErrUnknownTest, test)
	}
	samples, err := cellsamples.Query(ctx, c.opts.DB, cell, from, to, test)
	if err != nil {
		return Report{}, err
	}
	byNet := map[string][]float64{}
	for _, s := range samples {
		if s.Network != "" {
			byNet[s.Network] = append(byNet[s.Network], s.Value)
		}
	}
	return c.report(cell, test, t, from, to, byNet), nil
}

func (c *Comparer) report(cell, test string, t Test, from, to time.Time, byNet map[string][]float64) Report {
	p := Params{MinSamples: c.opts.MinSamples, Resamples: c.opts.Resamples, Confidence: c.opts.Confidence, Margin: t.Margin}
	if m, ok := c.opts.Margins[test]; ok {
		p.Margin = m
	}
	r := Report{Cell: cell, Test: test, From: from.UTC(), To: to.UTC(), Unit: t.Unit, Better: "higher", Statistic: "median",
		Ours: c.opts.Ours, Networks: []Summary{}, Versus: []Diff{}, Confidence: p.Confidence, MinSamples: p.MinSamples, Margin: p.Margin}
	if t.LowerBetter {
		r.Better = "lower"
	}
	if t.Mean {
		r.Statistic = "mean"
	}
	r.Method = fmt.Sprintf("difference ours − competitor of the %s; %.0f%% percentile bootstrap interval from %d resamples of both networks' samples; "+
		"behind or ahead when the interval excludes 0 and the difference is at least %g %s; at least %d samples each",
		r.Statistic, p.Confidence*100, p.Resamples, p.Margin, t.Unit, p.MinSamples)
	nets := make([]string, 0, len(byNet))
	for n := range byNet {
		nets = append(nets, n)
	}
	sort.Strings(nets)
	for _, n := range nets {
		r.Networks = append(r.Networks, Summarize(n, byNet[n]))
	}
	if c.opts.Ours == "" {
		r.Verdict = Insufficient
		return r
	}
	for _, n := range nets {
		if n == c.opts.Ours {
			continue
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "%s|%s|%s", cell, test, n)
		rng := rand.New(rand.NewPCG(c.opts.Seed, h.Sum64()))
		r.Versus = append(r.Versus, Versus(t, p, byNet[c.opts.Ours], byNet[n], n, rng))
	}
	r.Verdict = Overall(r.Versus)
	return r
}

// Behind lists, for every cell with network samples in [from, to), the
// tests on which ours is behind, with the comparison.
func (c *Comparer) Behind(ctx context.Context, from, to time.Time) (map[string][]Report, error) {
	return c.behind(ctx, "", from, to)
}

// BehindIn lists the tests on which ours is behind in one cell over
// [from, to) (a complaint's evidence, controller/complaints).
func (c *Comparer) BehindIn(ctx context.Context, cell string, from, to time.Time) ([]Report, error) {
	if cell == "" {
		return nil, nil
	}
	by, err := c.behind(ctx, cell, from, to)
	return by[cell], err
}

// behind is Behind for one cell, or every cell with cell "".
func (c *Comparer) behind(ctx context.Context, cell string, from, to time.Time) (map[string][]Report, error) {
	if c.opts.Ours == "" {
		return nil, nil
	}
	samples, err := cellsamples.Query(ctx, c.opts.DB, cell, from, to)
	if err != nil {
		return nil, err
	}
	type key struct{ cell, test string }
	by := map[key]map[string][]float64{}
	for _, s := range samples {
		if s.Network == "" {
			continue
		}
		if _, ok := Tests[s.Test]; !ok {
			continue
		}
		k := key{s.Cell, s.Test}
		if by[k] == nil {
			by[k] = map[string][]float64{}
		}
		by[k][s.Network] = append(by[k][s.Network], s.Value)
	}
	keys := make([]key, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].cell != keys[j].cell {
			return keys[i].cell < keys[j].cell
		}
		return keys[i].test < keys[j].test
	})
	out := map[string][]Report{}
	for _, k := range keys {
		if _, ok := by[k][c.opts.Ours]; !ok {
			continue
		}
		r := c.report(k.cell, k.test, Tests[k.test], from, to, by[k])
		if r.Verdict == Behind {
			out[k.cell] = append(out[k.cell], r)
		}
	}
	return out, nil
}
