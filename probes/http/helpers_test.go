package http

import (
	"testing"
	"time"

	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/probetest"
)

func specFor(t testing.TB, options string) probe.Spec {
	t.Helper()
	return probetest.Spec(t, "http", options)
}

func newProber(t *testing.T, options string) *Prober {
	t.Helper()
	p, err := New(specFor(t, options))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p.(*Prober)
}

// probeOnce runs one round within timeout and checks the sample against the
// wire contract, as the agent would publish it.
func probeOnce(t *testing.T, p *Prober, target string, timeout time.Duration) probe.Sample {
	t.Helper()
	s := probetest.Once(t, p, Measurement, target, timeout)
	t.Logf("class %q detail %q fields %v", s.Error, s.Detail, s.Fields)
	return s
}

// check fails unless s has class ("" for success), the right ok, and every
// named field positive.
func check(t *testing.T, s probe.Sample, class string, positive ...string) {
	t.Helper()
	wantOK := 0.0
	if class == "" {
		wantOK = 1
	}
	if s.Error != class || s.Fields["ok"] != wantOK || (class != "" && s.Detail == "") {
		t.Fatalf("want class %q ok=%v, got class %q ok=%v: %s", class, wantOK, s.Error, s.Fields["ok"], s.Detail)
	}
	for _, f := range positive {
		if v, ok := s.Fields[f]; !ok || v <= 0 {
			t.Errorf("%s = %v (present %v), want > 0", f, v, ok)
		}
	}
}
