package lite

import (
	"sort"
	"strings"
)

// Labels are label names and values.
type Labels map[string]string

// Opts name a metric, as in client_golang: the full name is Namespace,
// Subsystem and Name joined by "_" (empty parts left out).
type Opts struct {
	Namespace, Subsystem, Name string
	// Help is the # HELP text.
	Help string
	// ConstLabels are on every sample of the metric.
	ConstLabels Labels
}

// CounterOpts configure a counter.
type CounterOpts Opts

// GaugeOpts configure a gauge.
type GaugeOpts Opts

// HistogramOpts configure a histogram.
type HistogramOpts struct {
	Namespace, Subsystem, Name string
	Help                       string
	ConstLabels                Labels
	// Buckets are upper bounds, increasing; DefBuckets when nil.
	Buckets []float64
}

// DefBuckets are client_golang's default histogram buckets (seconds).
var DefBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func fqName(ns, sub, name string) string {
	var parts []string
	for _, p := range []string{ns, sub, name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "_")
}

// desc identifies a metric: its family (name, help, type, label names) and
// its constant label values.
type desc struct {
	name, help, typ string
	constLabels     Labels
	varLabels       []string
}

// key is what makes two registrations the same metric.
func (d desc) key() string {
	return d.name + "{" + labelString(d.constLabels, nil, nil) + "}"
}

// labelNames is the family's label dimensions, const and variable.
func (d desc) labelNames() string {
	var n []string
	for k := range d.constLabels {
		n = append(n, k)
	}
	n = append(n, d.varLabels...)
	sort.Strings(n)
	return strings.Join(n, ",")
}
