package agent

import (
	"fmt"
	"math/rand"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/internal/testnats"
	"github.com/vantage-net/vantage/probes"
)

// TestFirstConnectAfterBootWakesRetries: an agent that starts with NATS
// unreachable (a CPE booting before its uplink, a self-update's exec while
// the link is cut) gets its first connection from the client's retries,
// which calls the connect handler, not the reconnect one. That connection
// must wake the result sender and the remote config watcher out of the
// backoff they grew meanwhile. Before, neither was woken: in CI a
// self-updated agent connected 17 s after its exec, then sent nothing and
// read no config for the 13 s left of its 30-s trial, and rolled back.
func TestFirstConnectAfterBootWakesRetries(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens: NATS is down at boot
	cfg, err := config.Parse("agent.yaml", []byte(fmt.Sprintf("agent_id: cpe-1\nnats: {urls: [nats://127.0.0.1:%d]}\nprobes: []\n", port)), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{Config: cfg, Logger: quietLog(), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	nc, err := a.connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if nc.IsConnected() {
		t.Fatal("connected with nothing listening")
	}
	testnats.Start(t, server.Options{Port: port})
	var sender, watcher bool
	checkFor(t, "the first connection to wake the sender and the watcher", func() bool {
		select {
		case <-a.reconnected:
			sender = true
		default:
		}
		select {
		case <-a.watchWake:
			watcher = true
		default:
		}
		return nc.IsConnected() && sender && watcher
	})
}

// TestReconnectDelayCapped: the redial backoff climbs from 250 ms and
// never waits longer than 1.5 × maxReconnectDelay (22.5 s; it was 45 s,
// the time an edge agent's line stayed unknown after its link returned),
// and at its cap still spreads over at least half the cap.
func TestReconnectDelayCapped(t *testing.T) {
	jitter := rand.New(rand.NewSource(1))
	if d := reconnectDelay(0, jitter); d < 125*time.Millisecond || d >= 375*time.Millisecond {
		t.Errorf("first redial after %s, want 125–375 ms", d)
	}
	lo, hi := time.Duration(1<<62), time.Duration(0)
	for attempts := 8; attempts < 1000; attempts++ {
		d := reconnectDelay(attempts, jitter)
		lo, hi = min(lo, d), max(hi, d)
	}
	if hi >= 22500*time.Millisecond || lo < 7500*time.Millisecond || hi-lo < 7500*time.Millisecond {
		t.Errorf("capped redial waits span %s–%s, want within 7.5–22.5 s and spread over at least 7.5 s", lo, hi)
	}
}
