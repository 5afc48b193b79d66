// Package probetest holds what the probe types' tests share: a probe.Spec
// from an options block as an agent file gives it, and one round checked
// against the wire contract as the agent would publish it. Only tests
// import it.
package probetest

import (
	"context"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/result"
)

// Spec is a probe named "t" of type typ with a 1-s timeout, its options
// parsed from the YAML block options (may be empty).
func Spec(t testing.TB, typ, options string) probe.Spec {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(options), &doc); err != nil {
		t.Fatal(err)
	}
	spec := probe.Spec{Name: "t", Type: typ, File: "test.yaml", Timeout: time.Second}
	if len(doc.Content) > 0 {
		spec.Options = *doc.Content[0]
	}
	return spec
}

// Once runs one round of p against target within timeout and returns its
// one sample, failing the test unless the round kept its deadline and the
// sample, as a result of measurement, passes the wire contract's
// validation.
func Once(t testing.TB, p probe.Prober, measurement, target string, timeout time.Duration) probe.Sample {
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
		Time: time.Now(), Measurement: measurement, Tags: tags, Fields: s.Fields, Error: s.Error, Detail: s.Detail,
	}}}
	if err := b.Validate(result.Window{Now: time.Now(), MaxFuture: time.Minute}); err != nil {
		t.Fatalf("sample breaks the wire contract: %v (%+v)", err, s)
	}
	return s
}
