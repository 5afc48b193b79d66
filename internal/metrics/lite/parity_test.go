package lite

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// TestTextMatchesClientGolang does the same registrations and updates on a
// lite Registry and a client_golang one and wants byte-identical text
// exposition: what Prometheus scrapes from an edge build is what it
// scrapes from a full one.
func TestTextMatchesClientGolang(t *testing.T) {
	lr, pr := NewRegistry(), prometheus.NewRegistry()

	lc := NewCounter(CounterOpts{Namespace: "vantage", Subsystem: "agent_ping", Name: "sent_total", Help: "Sent.\nSecond line \\ backslash."})
	pc := prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vantage", Subsystem: "agent_ping", Name: "sent_total", Help: "Sent.\nSecond line \\ backslash."})
	lv := NewCounterVec(CounterOpts{Name: "vantage_agent_round_errors_total", Help: "Errors.", ConstLabels: Labels{"zone": "a"}}, []string{"probe", "class"})
	pv := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_agent_round_errors_total", Help: "Errors.", ConstLabels: prometheus.Labels{"zone": "a"}}, []string{"probe", "class"})
	lempty := NewCounterVec(CounterOpts{Name: "vantage_empty_total", Help: "No children."}, []string{"x"})
	pempty := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vantage_empty_total", Help: "No children."}, []string{"x"})
	lg := NewGauge(GaugeOpts{Name: "vantage_agent_nats_connected", Help: "Connected."})
	pg := prometheus.NewGauge(prometheus.GaugeOpts{Name: "vantage_agent_nats_connected", Help: "Connected."})
	depth := 42.5
	lf := NewGaugeFunc(GaugeOpts{Name: "vantage_agent_spool_depth", Help: "Depth."}, func() float64 { return depth })
	pf := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vantage_agent_spool_depth", Help: "Depth."}, func() float64 { return depth })
	buckets := []float64{.005, .01, .1, 1, 10}
	lh := NewHistogram(HistogramOpts{Name: "vantage_agent_snmp_poll_duration_seconds", Help: "Poll time.", ConstLabels: Labels{"probe": "core"}, Buckets: buckets})
	ph := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "vantage_agent_snmp_poll_duration_seconds", Help: "Poll time.", ConstLabels: prometheus.Labels{"probe": "core"}, Buckets: buckets})
	// A second metric of the same family with other const labels (one per
	// snmp probe) is allowed.
	lh2 := NewHistogram(HistogramOpts{Name: "vantage_agent_snmp_poll_duration_seconds", Help: "Poll time.", ConstLabels: Labels{"probe": "access"}, Buckets: buckets})
	ph2 := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "vantage_agent_snmp_poll_duration_seconds", Help: "Poll time.", ConstLabels: prometheus.Labels{"probe": "access"}, Buckets: buckets})

	lr.MustRegister(lc, lv, lempty, lg, lf, lh, lh2)
	pr.MustRegister(pc, pv, pempty, pg, pf, ph, ph2)

	lc.Inc()
	pc.Inc()
	lc.Add(2.5)
	pc.Add(2.5)
	for _, lbl := range [][2]string{{"pop", "timeout"}, {"erp", "refused"}, {"pop", "timeout"}, {"pop", `we"ird\val` + "\n"}} {
		lv.WithLabelValues(lbl[0], lbl[1]).Inc()
		pv.WithLabelValues(lbl[0], lbl[1]).Inc()
	}
	lv.With(Labels{"probe": "x", "class": "dns"}).Add(1e21)
	pv.With(prometheus.Labels{"probe": "x", "class": "dns"}).Add(1e21)
	lg.Set(1)
	pg.Set(1)
	lg.Dec()
	pg.Dec()
	for _, v := range []float64{0.001, 0.005, 0.05, 0.5, 3, 11, math.Inf(1)} {
		lh.Observe(v)
		ph.Observe(v)
	}
	lh2.Observe(0.2)
	ph2.Observe(0.2)

	var lt, pt bytes.Buffer
	if err := lr.WriteText(&lt); err != nil {
		t.Fatal(err)
	}
	mfs, err := pr.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&pt, mf); err != nil {
			t.Fatal(err)
		}
	}
	if lt.String() != pt.String() {
		t.Errorf("lite text differs from client_golang's\nlite:\n%s\nclient_golang:\n%s", lt.String(), pt.String())
	}
}

func TestRegisterLikeClientGolang(t *testing.T) {
	r := NewRegistry()
	a := NewCounter(CounterOpts{Name: "x_total", Help: "X."})
	b := NewCounter(CounterOpts{Name: "x_total", Help: "X."})
	if err := r.Register(a); err != nil {
		t.Fatal(err)
	}
	var are AlreadyRegisteredError
	if err := r.Register(b); !errors.As(err, &are) || are.ExistingCollector != Collector(a) {
		t.Errorf("second registration: %v; want AlreadyRegisteredError with the first", err)
	}
	if err := r.Register(NewCounter(CounterOpts{Name: "x_total", Help: "Other help.", ConstLabels: Labels{"p": "1"}})); err == nil || errors.As(err, &are) {
		t.Errorf("same name, other help: %v", err)
	}
	if err := r.Register(NewGauge(GaugeOpts{Name: "x_total", Help: "X.", ConstLabels: Labels{"p": "2"}})); err == nil {
		t.Error("same name, other type: registered")
	}
	if err := r.Register(NewCounter(CounterOpts{Name: "x_total", Help: "X.", ConstLabels: Labels{"p": "3"}})); err == nil {
		t.Error("same name, other label names: registered")
	}
	defer func() {
		if recover() == nil {
			t.Error("WithLabelValues with a wrong count did not panic")
		}
	}()
	NewCounterVec(CounterOpts{Name: "v_total"}, []string{"a", "b"}).WithLabelValues("1")
}

func TestRuntimeCollectors(t *testing.T) {
	r := NewRegistry()
	r.MustRegister(RuntimeCollectors()...)
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"} {
		line := ""
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.HasPrefix(l, name+" ") {
				line = l
			}
		}
		if line == "" || strings.HasSuffix(line, " 0") {
			t.Errorf("%s: %q\n%s", name, line, b.String())
		}
	}
}
