package fleetsim

import (
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/internal/testnats"
)

// TestReconnectWakesSender: a simulated agent's sender is woken when its
// connection comes back after its NATS server restarted, as the agent's
// is (linkUp): without it, results waited out the sender's backoff after
// the reconnect.
func TestReconnectWakesSender(t *testing.T) {
	port := lab.FreePort(t)
	ns := testnats.Start(t, server.Options{Port: port, JetStream: true, StoreDir: t.TempDir()})
	p := &Plan{}
	s, err := p.connect(&Agent{ID: "sim-wake-1"}, RunOptions{URL: ns.ClientURL(), Logger: slog.New(slog.DiscardHandler)}, &Stats{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.nc.Close()
	if s.sender.Wake == nil {
		t.Fatal("the sender has no wake channel")
	}
	ns.Shutdown()
	ns.WaitForShutdown()
	testnats.Start(t, server.Options{Port: port, JetStream: true, StoreDir: t.TempDir()})
	ctx := lab.Deadline(t, time.Minute)
	select {
	case <-s.sender.Wake:
	case <-ctx.Done():
		t.Fatal("no wake after the connection came back")
	}
}
