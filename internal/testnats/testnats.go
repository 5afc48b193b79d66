// Package testnats runs a real in-process nats-server for tests: on
// loopback, quiet, accepting connections before Start returns, and shut
// down when the test ends.
package testnats

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Start runs a nats-server with o and returns it once it accepts
// connections. An empty Host is 127.0.0.1 and Port 0 is any free port
// (-1); logging and signal handling are always off. The test may shut the
// server down earlier to make an outage; it is shut down at the end in any
// case.
func Start(t testing.TB, o server.Options) *server.Server {
	t.Helper()
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Port == 0 {
		o.Port = -1
	}
	o.NoLog, o.NoSigs = true, true
	s, err := server.NewServer(&o)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	return s
}

// StartJetStream is Start with JetStream on, storing in a directory of the
// test's.
func StartJetStream(t testing.TB) *server.Server {
	t.Helper()
	return Start(t, server.Options{JetStream: true, StoreDir: t.TempDir()})
}

// Connect returns a client connection to s, closed when the test ends.
func Connect(t testing.TB, s *server.Server) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}
