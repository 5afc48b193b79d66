package http

import (
	"context"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/result"
)

func specFor(t testing.TB, options string) probe.Spec {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(options), &doc); err != nil {
		t.Fatal(err)
	}
	spec := probe.Spec{Name: "t", Type: "http", File: "test.yaml", Timeout: time.Second}
	if len(doc.Content) > 0 {
		spec.Options = *doc.Content[0]
	}
	return spec
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
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	samples := p.Probe(ctx, target)
	if took := time.Since(start); took > timeout+time.Second {
		t.Errorf("round took %v, deadline was %v", took, timeout)
	}
	if len(samples) != 1 {
		t.Fatalf("got %d samples, want 1", len(samples))
	}
	s := samples[0]
	tags := map[string]string{"target": target}
	for k, v := range s.Tags {
		tags[k] = v
	}
	b := result.Batch{Agent: "test", Results: []result.Result{{
		Time: time.Now(), Measurement: Measurement, Tags: tags, Fields: s.Fields, Error: s.Error, Detail: s.Detail,
	}}}
	if err := b.Validate(result.Window{Now: time.Now(), MaxFuture: time.Minute}); err != nil {
		t.Fatalf("sample breaks the wire contract: %v (%+v)", err, s)
	}
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
