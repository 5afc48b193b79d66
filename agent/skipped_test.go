package agent

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/internal/clock"
	"github.com/vantage-net/vantage/probes"
)

// skippedBy is vantage_agent_rounds_skipped_total{probe, reason}.
func skippedBy(reg *prometheus.Registry, probe, reason string) float64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "vantage_agent_rounds_skipped_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			if l["probe"] == probe && l["reason"] == reason {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestSkippedSlotsByReason: an agent on a fake clock whose target holds
// its round counts the slot that came due meanwhile as
// vantage_agent_rounds_skipped_total{reason="busy"}, and the slots it
// missed when its clock jumped intervals ahead (a stall) as
// reason="stall": the label is what tells an operator a slow target from
// an agent short of CPU.
func TestSkippedSlotsByReason(t *testing.T) {
	release := make(chan struct{})
	var requests atomic.Int32
	hold := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hold.Close()
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock()
	srv := startJetStream(t)

	const interval = time.Hour // the round's own timeout (real time) never ends it
	cfg, err := config.Parse("agent.yaml", []byte(fmt.Sprintf(`agent_id: cpe-1
nats: {urls: [%s]}
http_listen: 127.0.0.1:0
probes:
  - name: portal
    type: http
    interval: 1h
    timeout: 1h
    targets: [%s]
`, srv.ClientURL(), hold.URL)), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	fake := clock.NewFake(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	reg := prometheus.NewRegistry()
	a, err := New(Options{Config: cfg, Logger: quietLog(), Registry: reg, Clock: fake})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		unblock() // rounds are not cancelled by shutdown: let the held one end
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	// step waits until the runner armed its timer for the next slot (the
	// only timer of this clock armed while no result is pending), moves
	// the clock by d, and waits until cond holds.
	step := func(what string, d time.Duration, cond func() bool) {
		t.Helper()
		armed, stop := context.WithTimeout(ctx, 20*time.Second)
		defer stop()
		if err := fake.BlockUntil(armed, 1); err != nil {
			t.Fatal(err)
		}
		fake.Advance(d)
		checkFor(t, what, cond)
	}
	busy := func() float64 { return skippedBy(reg, "portal", "busy") }
	stall := func() float64 { return skippedBy(reg, "portal", "stall") }

	// The agent makes its plan from the clock's time when its runner
	// starts, unknown here: a hundredth of an interval at a time until the
	// first round reaches the target. Passing the next slot too would take
	// a hundred more steps (2 s) before the request is seen.
	checkFor(t, "the first round at the target", func() bool {
		if requests.Load() == 1 {
			return true
		}
		fake.Advance(interval / 100)
		return false
	})
	step("the next slot skipped, busy", interval, func() bool { return busy() == 1 })
	if s := stall(); s != 0 {
		t.Fatalf("a slot skipped while the round ran counted as stall (%v)", s)
	}
	// Three intervals at once, from less than an interval after the busy
	// slot: the two slots after it were missed (a stall), the latest one
	// is busy again.
	step("slots missed in a jump counted as stall", 3*interval, func() bool { return stall()+busy() >= 4 })
	if s, b := stall(), busy(); s != 2 || b != 2 {
		t.Fatalf("after a jump of three intervals: stall %v busy %v, want 2 and 2", s, b)
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("%d rounds started at a target whose first round never ended", n)
	}
}
