package lite

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
)

// Collector is anything a Registry holds. Only this package's metrics
// implement it.
type Collector interface {
	describe() desc
	collect(emit func(suffix string, extra []string, value float64))
}

// Counter only goes up.
type Counter interface {
	Collector
	Inc()
	Add(float64)
}

// Gauge goes up and down.
type Gauge interface {
	Collector
	Set(float64)
	Inc()
	Dec()
	Add(float64)
	Sub(float64)
}

// GaugeFunc reports what its function returns at scrape time.
type GaugeFunc interface{ Collector }

// CounterFunc reports what its function returns at scrape time.
type CounterFunc interface{ Collector }

// Histogram counts observations into buckets.
type Histogram interface {
	Collector
	Observe(float64)
}

type counter struct {
	d desc
	v atomicFloat
}

// NewCounter returns a counter.
func NewCounter(o CounterOpts) Counter {
	return &counter{d: desc{name: fqName(o.Namespace, o.Subsystem, o.Name), help: o.Help, typ: "counter", constLabels: o.ConstLabels}}
}

func (c *counter) Inc() { c.v.add(1) }
func (c *counter) Add(v float64) {
	if v < 0 {
		panic("counter cannot decrease in value")
	}
	c.v.add(v)
}
func (c *counter) describe() desc { return c.d }
func (c *counter) collect(emit func(string, []string, float64)) {
	emit("", nil, c.v.get())
}

type gauge struct {
	d desc
	v atomicFloat
}

// NewGauge returns a gauge.
func NewGauge(o GaugeOpts) Gauge {
	return &gauge{d: desc{name: fqName(o.Namespace, o.Subsystem, o.Name), help: o.Help, typ: "gauge", constLabels: o.ConstLabels}}
}

func (g *gauge) Set(v float64)  { g.v.set(v) }
func (g *gauge) Inc()           { g.v.add(1) }
func (g *gauge) Dec()           { g.v.add(-1) }
func (g *gauge) Add(v float64)  { g.v.add(v) }
func (g *gauge) Sub(v float64)  { g.v.add(-v) }
func (g *gauge) describe() desc { return g.d }
func (g *gauge) collect(emit func(string, []string, float64)) {
	emit("", nil, g.v.get())
}

type valueFunc struct {
	d  desc
	fn func() float64
}

// NewGaugeFunc returns a gauge whose value is fn's at scrape time.
func NewGaugeFunc(o GaugeOpts, fn func() float64) GaugeFunc {
	return &valueFunc{d: desc{name: fqName(o.Namespace, o.Subsystem, o.Name), help: o.Help, typ: "gauge", constLabels: o.ConstLabels}, fn: fn}
}

// NewCounterFunc returns a counter whose value is fn's at scrape time.
func NewCounterFunc(o CounterOpts, fn func() float64) CounterFunc {
	return &valueFunc{d: desc{name: fqName(o.Namespace, o.Subsystem, o.Name), help: o.Help, typ: "counter", constLabels: o.ConstLabels}, fn: fn}
}

func (f *valueFunc) describe() desc { return f.d }
func (f *valueFunc) collect(emit func(string, []string, float64)) {
	emit("", nil, f.fn())
}

type histogram struct {
	d       desc
	upper   []float64
	mu      sync.Mutex
	buckets []uint64 // non-cumulative, one per upper bound
	count   uint64
	sum     float64
}

// NewHistogram returns a histogram.
func NewHistogram(o HistogramOpts) Histogram {
	b := o.Buckets
	if b == nil {
		b = DefBuckets
	}
	for i := range b {
		if i > 0 && b[i] <= b[i-1] {
			panic(fmt.Sprintf("histogram buckets must be in increasing order: %v >= %v", b[i-1], b[i]))
		}
	}
	if len(b) > 0 && math.IsInf(b[len(b)-1], 1) {
		b = b[:len(b)-1] // +Inf is implicit
	}
	return &histogram{d: desc{name: fqName(o.Namespace, o.Subsystem, o.Name), help: o.Help, typ: "histogram", constLabels: o.ConstLabels},
		upper: append([]float64(nil), b...), buckets: make([]uint64, len(b))}
}

func (h *histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.upper, v) // first bound >= v
	h.mu.Lock()
	if i < len(h.buckets) {
		h.buckets[i]++
	}
	h.count++
	h.sum += v
	h.mu.Unlock()
}

func (h *histogram) describe() desc { return h.d }
func (h *histogram) collect(emit func(string, []string, float64)) {
	h.mu.Lock()
	counts := append([]uint64(nil), h.buckets...)
	count, sum := h.count, h.sum
	h.mu.Unlock()
	var cum uint64
	for i, ub := range h.upper {
		cum += counts[i]
		emit("_bucket", []string{"le", formatFloat(ub)}, float64(cum))
	}
	emit("_bucket", []string{"le", "+Inf"}, float64(count))
	emit("_sum", nil, sum)
	emit("_count", nil, float64(count))
}

// CounterVec is a counter per combination of label values.
type CounterVec struct {
	d        desc
	mu       sync.Mutex
	children map[string]*vecChild
}

type vecChild struct {
	values []string
	c      *counter
}

// NewCounterVec returns a counter vector with the given label names.
func NewCounterVec(o CounterOpts, labelNames []string) *CounterVec {
	return &CounterVec{d: desc{name: fqName(o.Namespace, o.Subsystem, o.Name), help: o.Help, typ: "counter",
		constLabels: o.ConstLabels, varLabels: append([]string(nil), labelNames...)}, children: map[string]*vecChild{}}
}

// WithLabelValues returns the counter of these values, in label-name
// order; a wrong number of values panics, as in client_golang.
func (v *CounterVec) WithLabelValues(values ...string) Counter {
	if len(values) != len(v.d.varLabels) {
		panic(fmt.Sprintf("%s: %d label values for %d labels %v", v.d.name, len(values), len(v.d.varLabels), v.d.varLabels))
	}
	k := strings.Join(values, "\xff")
	v.mu.Lock()
	defer v.mu.Unlock()
	ch, ok := v.children[k]
	if !ok {
		ch = &vecChild{values: append([]string(nil), values...), c: &counter{d: v.d}}
		v.children[k] = ch
	}
	return ch.c
}

// With returns the counter of the labels.
func (v *CounterVec) With(l Labels) Counter {
	values := make([]string, len(v.d.varLabels))
	for i, n := range v.d.varLabels {
		values[i] = l[n]
	}
	return v.WithLabelValues(values...)
}

func (v *CounterVec) describe() desc { return v.d }
func (v *CounterVec) collect(emit func(string, []string, float64)) {
	v.mu.Lock()
	kids := make([]*vecChild, 0, len(v.children))
	for _, c := range v.children {
		kids = append(kids, c)
	}
	v.mu.Unlock()
	for _, ch := range kids {
		pairs := make([]string, 0, 2*len(ch.values))
		for i, n := range v.d.varLabels {
			pairs = append(pairs, n, ch.values[i])
		}
		emit("", pairs, ch.c.v.get())
	}
}
