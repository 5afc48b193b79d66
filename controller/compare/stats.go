package compare

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Verdicts, from our network's side.
const (
	Ahead        = "ahead"
	Level        = "level"
	Behind       = "behind"
	Insufficient = "insufficient"
)

// Test describes a comparison test.
type Test struct {
	// Unit of the values and the difference.
	Unit string
	// LowerBetter is true for timings and loss, false for success rates
	// and throughput.
	LowerBetter bool
	// Mean compares means (rates of 0/1 outcomes, loss percentages), else
	// medians.
	Mean bool
	// Margin is the default smallest difference worth a verdict.
	Margin float64
}

// Tests are the comparison tests by name.
var Tests = map[string]Test{
	"ping_rtt_ms":     {Unit: "ms", LowerBetter: true, Margin: 5},
	"ping_loss_pct":   {Unit: "%", LowerBetter: true, Mean: true, Margin: 1},
	"dns_ms":          {Unit: "ms", LowerBetter: true, Margin: 10},
	"dns_ok":          {Unit: "share", Mean: true, Margin: 0.02},
	"http_ok":         {Unit: "share", Mean: true, Margin: 0.02},
	"http_ttfb_ms":    {Unit: "ms", LowerBetter: true, Margin: 20},
	"http_total_ms":   {Unit: "ms", LowerBetter: true, Margin: 50},
	"throughput_kbps": {Unit: "kbit/s", Margin: 500},
}

// Summary is one network's samples in the period.
type Summary struct {
	Network string  `json:"network"`
	N       int     `json:"n"`
	Median  float64 `json:"median"`
	Mean    float64 `json:"mean"`
	// P25 and P75 are the quartiles: the spread.
	P25 float64 `json:"p25"`
	P75 float64 `json:"p75"`
}

// Summarize computes a network's summary; vs is not modified.
func Summarize(network string, vs []float64) Summary {
	s := Summary{Network: network, N: len(vs)}
	if len(vs) == 0 {
		return s
	}
	sorted := append([]float64(nil), vs...)
	sort.Float64s(sorted)
	s.Median, s.P25, s.P75 = quantile(sorted, 0.5), quantile(sorted, 0.25), quantile(sorted, 0.75)
	sum := 0.0
	for _, v := range vs {
		sum += v
	}
	s.Mean = sum / float64(len(vs))
	return s
}

// quantile of sorted values, linear between order statistics.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (sorted[hi]-sorted[lo])*(pos-float64(lo))
}

// Params are the method's settings.
type Params struct {
	MinSamples int
	Resamples  int
	Confidence float64
	Margin     float64
}

// Diff is ours against one competitor.
type Diff struct {
	Competitor string `json:"competitor"`
	// Difference is ours − theirs in the test's statistic and unit; Low and
	// High bound it at the configured confidence.
	Difference float64 `json:"difference"`
	Low        float64 `json:"low"`
	High       float64 `json:"high"`
	Verdict    string  `json:"verdict"`
}

// Versus compares our samples with a competitor's. rng drives the
// bootstrap; with the same rng state the same samples give the same answer.
func Versus(t Test, p Params, ours, theirs []float64, competitor string, rng *rand.Rand) Diff {
	d := Diff{Competitor: competitor, Verdict: Insufficient}
	if len(ours) < p.MinSamples || len(theirs) < p.MinSamples || len(ours) == 0 || len(theirs) == 0 {
		if len(ours) > 0 && len(theirs) > 0 {
			d.Difference = stat(t, ours, nil) - stat(t, theirs, nil)
		}
		return d
	}
	d.Difference = stat(t, ours, nil) - stat(t, theirs, nil)
	diffs := make([]float64, p.Resamples)
	bufA, bufB := make([]float64, len(ours)), make([]float64, len(theirs))
	for i := range diffs {
		diffs[i] = stat(t, resample(ours, bufA, rng), bufA) - stat(t, resample(theirs, bufB, rng), bufB)
	}
	sort.Float64s(diffs)
	tail := (1 - p.Confidence) / 2
	d.Low, d.High = quantile(diffs, tail), quantile(diffs, 1-tail)
	worse := d.Low > 0 // ours higher than theirs, surely
	better := d.High < 0
	if !t.LowerBetter {
		worse, better = better, worse
	}
	switch {
	case math.Abs(d.Difference) < p.Margin:
		d.Verdict = Level
	case worse:
		d.Verdict = Behind
	case better:
		d.Verdict = Ahead
	default:
		d.Verdict = Level
	}
	return d
}

// resample fills buf with len(vs) draws from vs with replacement.
func resample(vs, buf []float64, rng *rand.Rand) []float64 {
	for i := range buf {
		buf[i] = vs[rng.IntN(len(vs))]
	}
	return buf
}

// stat is the test's statistic; scratch (may be vs itself) is reordered in
// place for a median, so callers pass a buffer they own or nil to copy.
// The median is found by selection, not sorting: the bootstrap takes it
// thousands of times per comparison.
func stat(t Test, vs, scratch []float64) float64 {
	if t.Mean {
		sum := 0.0
		for _, v := range vs {
			sum += v
		}
		return sum / float64(len(vs))
	}
	if scratch == nil {
		scratch = append([]float64(nil), vs...)
	}
	n := len(scratch)
	hi := nth(scratch, n/2)
	if n%2 == 1 {
		return hi
	}
	// The lower middle is the largest value left of n/2 after selection.
	lo := scratch[0]
	for _, v := range scratch[1 : n/2] {
		lo = math.Max(lo, v)
	}
	return (lo + hi) / 2
}

// nth reorders a so that a[k] is the value sorted order puts there, every
// value before it no greater and every value after it no smaller, and
// returns a[k] (Hoare's selection, median-of-three pivot).
func nth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for a[j] > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}

// Overall is a cell's verdict for a test over every competitor: behind
// when behind any, ahead when ahead of all, insufficient when no
// competitor had enough samples, else level.
func Overall(ds []Diff) string {
	if len(ds) == 0 {
		return Insufficient
	}
	ahead, insufficient := 0, 0
	for _, d := range ds {
		switch d.Verdict {
		case Behind:
			return Behind
		case Ahead:
			ahead++
		case Insufficient:
			insufficient++
		}
	}
	switch {
	case insufficient == len(ds):
		return Insufficient
	case ahead == len(ds):
		return Ahead
	}
	return Level
}
