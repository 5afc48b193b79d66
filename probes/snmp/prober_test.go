package snmp

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/probes/probe"
	"github.com/vantage-net/vantage/probes/result"
)

func specFor(t *testing.T, options string) probe.Spec {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(options), &n); err != nil {
		t.Fatal(err)
	}
	return probe.Spec{Name: "pe", Type: "snmp", Interval: 30 * time.Second, Timeout: 10 * time.Second,
		Options: *n.Content[0], File: "agent.yaml"}
}

// withFakes makes p dial fake agents, one per target.
func withFakes(p *Prober, agents map[string]*fakeAgent) {
	p.dial = func(ctx context.Context, target string, d Device) (session, error) {
		a, ok := agents[target]
		if !ok {
			return nil, fmt.Errorf("no such fake %s", target)
		}
		return a, nil
	}
}

// checkValid runs samples through the wire contract as the agent would.
func checkValid(t *testing.T, samples []probe.Sample) {
	t.Helper()
	b := result.Batch{Agent: "test"}
	for _, s := range samples {
		at := s.Time
		if at.IsZero() {
			at = time.Now()
		}
		m := s.Measurement
		if m == "" {
			m = Descriptor.Measurement
		}
		b.Results = append(b.Results, result.Result{Time: at, Measurement: m, Tags: s.Tags, Fields: s.Fields, Error: s.Error, Detail: s.Detail})
	}
	if err := b.Validate(result.Window{Now: time.Now(), MaxFuture: time.Minute}); err != nil {
		t.Fatalf("samples break the wire contract: %v", err)
	}
}

func TestProbeWithFakeAgent(t *testing.T) {
	p, err := NewProber(specFor(t, `
community: c0mmunity-secret
interfaces: [{name: ge-0/0/1, line: L-1}]
scalars: [{name: rsrp, oid: 1.3.6.1.4.1.99999.1.0}]
`))
	if err != nil {
		t.Fatal(err)
	}
	a := newFakeAgent()
	a.load(100000, threeIfs())
	a.set("1.3.6.1.4.1.99999.1.0", gosnmp.Integer, -97)
	withFakes(p, map[string]*fakeAgent{"198.18.0.1": a})
	clock := t0
	p.now = func() time.Time { return clock }

	out := p.Probe(context.Background(), "198.18.0.1")
	checkValid(t, out)
	if len(find(out, MeasurementIf, "")) != 3 {
		t.Fatalf("got %+v", out)
	}
	var poll, rsrp, uptime bool
	for _, s := range out {
		switch s.Tags["metric"] {
		case "poll_ms":
			poll = s.Error == "" && s.Tags["device"] == "198.18.0.1"
		case "rsrp":
			rsrp = s.Fields["value"] == -97
		case "uptime_s":
			uptime = s.Fields["value"] == 1000
		}
	}
	if !poll || !rsrp || !uptime {
		t.Fatalf("device samples missing (poll %v rsrp %v uptime %v): %+v", poll, rsrp, uptime, out)
	}
	if info, ok := p.Lookup("198.18.0.1", 2); !ok || info.Name != "ge-0/0/1" || info.Line != "L-1" || info.Alias != "CID-1001" {
		t.Fatalf("Lookup: %+v %v", info, ok)
	}
	clock = clock.Add(30 * time.Second)
	a.load(103000, threeIfs())
	checkValid(t, p.Probe(context.Background(), "198.18.0.1"))
}

func TestPollErrorsAreClassifiedWithoutSecrets(t *testing.T) {
	p, err := NewProber(specFor(t, `
version: "3"
v3: {user: u1, level: authPriv, auth_protocol: SHA, auth_password: auth-pass-SECRET, priv_protocol: AES, priv_password: priv-pass-SECRET}
devices:
  198.18.0.9:
    version: 2c
    community: comm-SECRET
`))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	p.log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, tc := range []struct {
		target string
		err    error
		class  string
		want   string
	}{
		{"198.18.0.1", fmt.Errorf("x: %w", gosnmp.ErrWrongDigest), probe.ErrAuth, "auth_password"},
		{"198.18.0.1", gosnmp.ErrDecryption, probe.ErrAuth, "priv_password"},
		{"198.18.0.1", gosnmp.ErrUnknownUsername, probe.ErrAuth, "v3.user"},
		{"198.18.0.9", fmt.Errorf("request timeout (after 1 retries): %w", gosnmp.ErrMaxRetriesExceeded), probe.ErrTimeout, "wrong community"},
		{"198.18.0.1", fmt.Errorf("odd failure mentioning auth-pass-SECRET and priv-pass-SECRET"), probe.ErrOther, "<redacted>"},
	} {
		a := newFakeAgent()
		a.err = tc.err
		withFakes(p, map[string]*fakeAgent{tc.target: a})
		out := p.Probe(context.Background(), tc.target)
		checkValid(t, out)
		if len(out) != 1 || out[0].Error != tc.class || !strings.Contains(out[0].Detail, tc.want) {
			t.Errorf("%v: got %+v, want class %s mentioning %q", tc.err, out, tc.class, tc.want)
		}
		if strings.Contains(out[0].Detail, "SECRET") {
			t.Errorf("credential in detail: %s", out[0].Detail)
		}
	}
	if strings.Contains(logs.String(), "SECRET") {
		t.Fatalf("credential in logs: %s", logs.String())
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	spec := specFor(t, `
community: comm-SECRET
devices:
  198.18.0.2:
    version: "3"
    v3: {user: u, level: authPriv, auth_protocol: MD5, auth_password: auth-SECRET, priv_protocol: DES, priv_password: priv-SECRET}
`)
	o, err := DecodeOptions("x.yaml", &spec.Options)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%v %+v %#v %s", o, o, o, o.Community)
	fmt.Fprintf(&buf, "%v %+v %#v", o.Devices["198.18.0.2"].V3, *o.Devices["198.18.0.2"].V3, o.Devices)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "opts", o, "v3", o.Devices["198.18.0.2"].V3, "c", o.Community)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "opts", o, "device", o.Devices["198.18.0.2"])
	if strings.Contains(buf.String(), "SECRET") {
		t.Fatalf("a credential printed: %s", buf.String())
	}
}

// A device that never answers holds its own slot and nothing else.
func TestDeadDeviceDoesNotDelayOthers(t *testing.T) {
	p, err := NewProber(specFor(t, "community: c\nmax_parallel: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	agents := map[string]*fakeAgent{}
	dead := newFakeAgent()
	dead.block = make(chan struct{}) // never answers
	agents["198.18.0.100"] = dead
	for i := 1; i <= 8; i++ {
		a := newFakeAgent()
		a.load(100, threeIfs())
		agents[fmt.Sprintf("198.18.0.%d", i)] = a
	}
	withFakes(p, agents)

	deadCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	deadDone := make(chan []probe.Sample, 1)
	go func() { deadDone <- p.Probe(deadCtx, "198.18.0.100") }()
	time.Sleep(20 * time.Millisecond) // let the dead device take its slot

	start := time.Now()
	var wg sync.WaitGroup
	for i := 1; i <= 8; i++ {
		wg.Add(1)
		go func(target string) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if out := p.Probe(ctx, target); len(find(out, MeasurementIf, "")) != 3 {
				t.Errorf("%s: %+v", target, out)
			}
		}(fmt.Sprintf("198.18.0.%d", i))
	}
	wg.Wait()
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Fatalf("live devices took %s behind a dead one", took)
	}
	out := <-deadDone
	if len(out) != 1 || out[0].Error != probe.ErrTimeout {
		t.Fatalf("dead device: %+v", out)
	}
}

func TestSameTargetIsSerialised(t *testing.T) {
	p, err := NewProber(specFor(t, "community: c\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := newFakeAgent()
	a.load(100, threeIfs())
	a.block = make(chan struct{})
	withFakes(p, map[string]*fakeAgent{"198.18.0.1": a})
	first := make(chan []probe.Sample)
	go func() { first <- p.Probe(context.Background(), "198.18.0.1") }()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	out := p.Probe(ctx, "198.18.0.1")
	if len(out) != 1 || !strings.Contains(out[0].Detail, "still running") {
		t.Fatalf("second concurrent round: %+v", out)
	}
	close(a.block)
	if out := <-first; len(find(out, MeasurementIf, "")) != 3 {
		t.Fatalf("first round: %+v", out)
	}
}

func TestIncompleteTargetIsAConfigError(t *testing.T) {
	p, err := NewProber(specFor(t, "devices: {198.18.0.1: {community: c}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	out := p.Probe(context.Background(), "198.18.0.2")
	if len(out) != 1 || out[0].Error != ErrConfig {
		t.Fatalf("got %+v", out)
	}
}

func TestMetricsSurviveAReload(t *testing.T) {
	reg := prometheus.NewRegistry()
	spec := specFor(t, "community: c\n")
	spec.Registerer = reg
	var probers []*Prober
	for range 2 {
		p, err := NewProber(spec)
		if err != nil {
			t.Fatal(err)
		}
		a := newFakeAgent()
		a.load(100, threeIfs())
		withFakes(p, map[string]*fakeAgent{"198.18.0.1": a})
		p.Probe(context.Background(), "198.18.0.1")
		probers = append(probers, p)
	}
	if got := counterValue(t, probers[1].metrics.polls.WithLabelValues("ok")); got != 2 {
		t.Fatalf("polls ok = %v, want 2 (shared across the reload)", got)
	}
	for _, p := range probers {
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
