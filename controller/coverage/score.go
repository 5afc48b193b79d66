package coverage

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Band is a quantity's weak and good values (weak < good).
type Band struct{ Weak, Good float64 }

// Quantities are the measured quantities a score is made of, in a fixed
// order for points and reasons.
var Quantities = []string{"rsrp_dbm", "sinr_db", "rssi_dbm", "throughput_kbps"}

// Median of vs (not modified); NaN when empty.
func Median(vs []float64) float64 {
	if len(vs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// part is one quantity's contribution: its median and the 0..1 it scores.
type part struct {
	Median float64 `json:"median"`
	N      int     `json:"n"`
	Score  float64 `json:"score"` // 0..100
}

// scoreOf scores the samples of one site or cell: quantities with at least
// min samples, each its median between weak (0) and good (100), averaged.
// ok is false when no quantity had enough samples.
func scoreOf(byQ map[string][]float64, bands map[string]Band, min int) (score float64, parts map[string]part, ok bool) {
	parts = map[string]part{}
	sum, n := 0.0, 0
	for _, q := range Quantities {
		vs := byQ[q]
		if len(vs) < min {
			continue
		}
		b := bands[q]
		m := Median(vs)
		s := math.Max(0, math.Min(1, (m-b.Weak)/(b.Good-b.Weak))) * 100
		parts[q] = part{Median: m, N: len(vs), Score: s}
		sum += s
		n++
	}
	if n == 0 {
		return 0, parts, false
	}
	return sum / float64(n), parts, true
}

// reasons names the quantities at or below their weak value, for events
// and the places ranking: "rsrp_dbm median -118 ≤ weak -110".
func reasons(parts map[string]part, bands map[string]Band) string {
	var out []string
	for _, q := range Quantities {
		p, ok := parts[q]
		if ok && p.Median <= bands[q].Weak {
			out = append(out, fmt.Sprintf("%s median %.4g ≤ weak %.4g", q, p.Median, bands[q].Weak))
		}
	}
	if len(out) == 0 {
		return "score below the weak score (no single quantity at its weak value)"
	}
	return strings.Join(out, "; ")
}
