package agent

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/probes/result"
)

// confirmRun runs an agent whose http probe's target never answers (a
// server that holds every request past the round's timeout) with the given
// confirm_budget, and returns a recorder of the results it publishes.
func confirmRun(t *testing.T, budget int) (*prometheus.Registry, func() []result.Result) {
	t.Helper()
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	srv := startJetStream(t)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: "VANTAGE_RESULTS", Subjects: []string{"vantage.results.>"}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []result.Result
	sub, err := nc.Subscribe("vantage.results.cpe-1", func(m *nats.Msg) {
		b, err := result.Decode(m.Data)
		if err != nil {
			t.Errorf("undecodable batch: %v", err)
			return
		}
		mu.Lock()
		got = append(got, b.Results...)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	_, reg, stop := runAgent(t, fmt.Sprintf(`agent_id: cpe-1
nats: {urls: [%s]}
http_listen: 127.0.0.1:0
publish: {batch_delay: 20ms}
confirm_budget: %d
probes:
  - name: portal
    type: http
    interval: 1s
    timeout: 150ms
    confirm: {interval: 200ms, rounds: 3, watch: 0s}
    targets: [%s]
`, srv.ClientURL(), budget, hang.URL))
	t.Cleanup(stop)
	return reg, func() []result.Result {
		mu.Lock()
		defer mu.Unlock()
		return append([]result.Result(nil), got...)
	}
}

func counterSum(reg *prometheus.Registry, name string) float64 {
	mfs, _ := reg.Gather()
	n := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}

// TestConfirmationRoundsMarked: a target that never answers gets, after its
// first failed slot, confirmation rounds 1 and 2 (k = 3 with the slot),
// marked with the confirm field and failed, then nothing but its slots
// (watch 0): confirmation stops once the target is confirmed down.
func TestConfirmationRoundsMarked(t *testing.T) {
	reg, results := confirmRun(t, 100)
	checkFor(t, "four slot rounds after the confirmation", func() bool {
		slots := 0
		for _, r := range results() {
			if r.Fields["confirm"] == 0 {
				slots++
			}
		}
		return slots >= 5
	})
	var marks []float64
	for _, r := range results() {
		if r.Error != "timeout" {
			t.Fatalf("round of a target that never answers: %+v", r)
		}
		marks = append(marks, r.Fields["confirm"])
	}
	if len(marks) < 3 || marks[0] != 0 || marks[1] != 1 || marks[2] != 2 {
		t.Fatalf("confirm marks in publishing order %v, want 0 1 2 then slots only", marks)
	}
	for _, m := range marks[3:] {
		if m != 0 {
			t.Fatalf("confirm marks %v: confirmation went on after the target was confirmed down", marks)
		}
	}
	if n := counterSum(reg, "vantage_agent_confirm_rounds_total"); n != 2 {
		t.Fatalf("vantage_agent_confirm_rounds_total %v, want 2", n)
	}
}

// TestConfirmationRefusedByBudget: with confirm_budget 0 every confirmation
// round is refused and counted in vantage_agent_confirm_refused_total, and
// no result carries the confirm mark.
func TestConfirmationRefusedByBudget(t *testing.T) {
	reg, results := confirmRun(t, 0)
	checkFor(t, "refused confirmation rounds counted", func() bool {
		return counterSum(reg, "vantage_agent_confirm_refused_total") >= 2 && len(results()) >= 3
	})
	for _, r := range results() {
		if _, ok := r.Fields["confirm"]; ok {
			t.Fatalf("a confirmation round ran with a budget of 0: %+v", r)
		}
	}
	if n := counterSum(reg, "vantage_agent_confirm_rounds_total"); n != 0 {
		t.Fatalf("vantage_agent_confirm_rounds_total %v with a budget of 0", n)
	}
}
