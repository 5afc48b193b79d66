package partition_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/vantage-net/vantage/internal/lab"
)

// natsCluster is three in-process nats-servers with routes between them
// and JetStream on disk in the test's temp dir: the "NATS cluster" of
// README's "Running at provincial scale".
type natsCluster struct {
	servers []*server.Server
	opts    []*server.Options
}

func startCluster(t *testing.T, n int) *natsCluster {
	t.Helper()
	routes := make([]int, n)
	for i := range routes {
		routes[i] = lab.FreePort(t)
	}
	c := &natsCluster{}
	for i := 0; i < n; i++ {
		o := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1), Host: "127.0.0.1", Port: -1, JetStream: true,
			StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
			Cluster: server.ClusterOpts{Name: "vantage-test", Host: "127.0.0.1", Port: routes[i]},
		}
		for j := 0; j < n; j++ {
			if j != i {
				o.Routes = append(o.Routes, server.RoutesFromStr(fmt.Sprintf("nats://127.0.0.1:%d", routes[j]))...)
			}
		}
		s, err := server.NewServer(o)
		if err != nil {
			t.Fatal(err)
		}
		go s.Start()
		c.servers = append(c.servers, s)
		c.opts = append(c.opts, o)
	}
	t.Cleanup(func() {
		for _, s := range c.servers {
			s.Shutdown()
			s.WaitForShutdown()
		}
	})
	for _, s := range c.servers {
		if !s.ReadyForConnections(20 * time.Second) {
			t.Fatal("nats-server not ready")
		}
	}
	// JetStream answers once the meta group has a leader.
	ctx := lab.Deadline(t, 30*time.Second)
	lab.WaitFor(t, ctx, 100*time.Millisecond, func() error {
		for _, s := range c.servers {
			if !s.JetStreamIsCurrent() {
				return fmt.Errorf("%s: JetStream not current", s.Name())
			}
		}
		if c.servers[0].JetStreamIsLeader() || c.servers[1].JetStreamIsLeader() || c.servers[2%n].JetStreamIsLeader() {
			return nil
		}
		return fmt.Errorf("no JetStream meta leader yet")
	})
	return c
}

// URL lists every server's client URL, as a client's server list.
func (c *natsCluster) URL() string {
	var u []string
	for _, s := range c.servers {
		u = append(u, s.ClientURL())
	}
	return strings.Join(u, ",")
}
