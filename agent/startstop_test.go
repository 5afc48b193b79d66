package agent

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/goleak"
)

// A full start and stop leaves nothing running: scheduler, probes, spool,
// publisher, heartbeats, remote-config watcher and HTTP server have all
// returned when Run returns.
func TestStartStopLeavesNoGoroutine(t *testing.T) {
	srv := startJetStream(t)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: "VANTAGE_RESULTS", Subjects: []string{"vantage.results.>"}}); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	tcp := listenTCP(t)
	before := goleak.IgnoreCurrent() // the test's NATS server and TCP target
	a, reg, stop := runAgent(t, fmt.Sprintf(`agent_id: cpe-1
nats: {urls: [%s]}
http_listen: 127.0.0.1:0
heartbeat_interval: 1s
publish: {batch_delay: 50ms}
spool: {dir: %s}
remote_config: {enabled: true, cache_file: %s}
probes:
  - {name: erp, type: dial, interval: 100ms, targets: [%s], options: {kind: tcp}}
`, srv.ClientURL(), t.TempDir(), filepath.Join(t.TempDir(), "remote.yaml"), tcp))
	checkFor(t, "results acknowledged by JetStream", func() bool {
		return published(reg) > 0 && a.Stats().Queued == 0
	})
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(time.Minute):
		t.Fatal("agent did not stop within a minute")
	}
	goleak.VerifyNone(t, before)
}

func published(reg interface {
	Gather() ([]*dto.MetricFamily, error)
}) float64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "vantage_agent_results_published_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}

// Every round's start is measured against its slot
// (vantage_agent_round_lateness_seconds): the bench's scheduling error.
func TestRoundLatenessObserved(t *testing.T) {
	srv := startJetStream(t)
	_, reg, stop := runAgent(t, fmt.Sprintf(`agent_id: cpe-1
nats: {urls: [%s]}
http_listen: 127.0.0.1:0
probes:
  - {name: erp, type: dial, interval: 100ms, targets: [%s], options: {kind: tcp}}
`, srv.ClientURL(), listenTCP(t)))
	defer stop()
	checkFor(t, "rounds observed in the lateness histogram", func() bool {
		var rounds, results float64
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			switch mf.GetName() {
			case "vantage_agent_round_lateness_seconds":
				rounds = float64(mf.GetMetric()[0].GetHistogram().GetSampleCount())
			case "vantage_agent_results_total":
				results = mf.GetMetric()[0].GetCounter().GetValue()
			}
		}
		// A round is observed when it starts, its result counted after.
		return results >= 3 && rounds >= results
	})
}
