package lite

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Registerer is where metrics are registered.
type Registerer interface {
	Register(Collector) error
	MustRegister(...Collector)
}

// AlreadyRegisteredError is returned by Register for a metric (same name
// and constant labels) already there; ExistingCollector is the one to use.
type AlreadyRegisteredError struct {
	ExistingCollector, NewCollector Collector
}

func (e AlreadyRegisteredError) Error() string {
	return "duplicate metrics collector registration attempted"
}

// Registry holds metrics and writes them in the text exposition format.
type Registry struct {
	mu       sync.Mutex
	byKey    map[string]Collector
	families map[string]desc // by name: the first registration's help, type, labels
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byKey: map[string]Collector{}, families: map[string]desc{}}
}

// Register adds c. A metric whose name is taken with other help, type or
// label names is refused, as client_golang does.
func (r *Registry) Register(c Collector) error {
	d := c.describe()
	if d.name == "" {
		return fmt.Errorf("metric without a name")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.byKey[d.key()]; ok {
		return AlreadyRegisteredError{ExistingCollector: old, NewCollector: c}
	}
	if f, ok := r.families[d.name]; ok {
		if f.help != d.help || f.typ != d.typ || f.labelNames() != d.labelNames() {
			return fmt.Errorf("a previously registered descriptor with the same fully-qualified name as %s has different help, type or label names", d.name)
		}
	} else {
		r.families[d.name] = d
	}
	r.byKey[d.key()] = c
	return nil
}

// MustRegister registers every c and panics on an error.
func (r *Registry) MustRegister(cs ...Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

// WriteText writes every metric in the Prometheus text format 0.0.4,
// families and samples sorted.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	cs := make([]Collector, 0, len(r.byKey))
	for _, c := range r.byKey {
		cs = append(cs, c)
	}
	fams := make(map[string]desc, len(r.families))
	for k, v := range r.families {
		fams[k] = v
	}
	r.mu.Unlock()

	// One series per metric (a vector child, a histogram): its samples in
	// the order collect emits them (buckets by le, _sum, _count), series
	// sorted by their labels, as client_golang writes them.
	type series struct {
		key   string
		lines []string
	}
	byFamily := map[string]map[string]*series{}
	for _, c := range cs {
		d := c.describe()
		c.collect(func(suffix string, pairs []string, v float64) {
			var extra []string
			if suffix == "_bucket" {
				extra, pairs = pairs, nil // le is not part of the series and comes last
			}
			key := labelString(d.constLabels, pairs, nil)
			if byFamily[d.name] == nil {
				byFamily[d.name] = map[string]*series{}
			}
			ser := byFamily[d.name][key]
			if ser == nil {
				ser = &series{key: key}
				byFamily[d.name][key] = ser
			}
			line := d.name + suffix
			if l := labelString(d.constLabels, pairs, extra); l != "" {
				line += "{" + l + "}"
			}
			ser.lines = append(ser.lines, line+" "+formatFloat(v)+"\n")
		})
	}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	bw := bufio.NewWriter(w)
	for _, n := range names {
		if len(byFamily[n]) == 0 {
			continue // a vector without children shows nothing, as in client_golang
		}
		f := fams[n]
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", n, escapeHelp(f.help), n, f.typ)
		ss := make([]*series, 0, len(byFamily[n]))
		for _, ser := range byFamily[n] {
			ss = append(ss, ser)
		}
		sort.Slice(ss, func(i, j int) bool { return ss[i].key < ss[j].key })
		for _, ser := range ss {
			for _, l := range ser.lines {
				bw.WriteString(l)
			}
		}
	}
	return bw.Flush()
}

// labelString renders const labels and pairs (name, value, ...) sorted by
// name, then extra pairs unsorted: name="value",…
func labelString(constLabels Labels, pairs, extra []string) string {
	type kv struct{ k, v string }
	var all []kv
	for k, v := range constLabels {
		all = append(all, kv{k, v})
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		all = append(all, kv{pairs[i], pairs[i+1]})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].k < all[j].k })
	for i := 0; i+1 < len(extra); i += 2 {
		all = append(all, kv{extra[i], extra[i+1]})
	}
	var b strings.Builder
	for i, p := range all {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.k + `="` + escapeLabel(p.v) + `"`)
	}
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Handler serves r's metrics in the text format.
func Handler(r *Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = r.WriteText(w)
	})
}
