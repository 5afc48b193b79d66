package agentconfig

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes"
	"github.com/vantage-net/vantage/probes/probe"
)

// farWatcher is a PoP agent (named by an element, no site) watching n
// customer lines from their far end.
func farWatcher(n int, addr func(i int) string) inventory.Assignment {
	a := inventory.Assignment{Agent: "pop-1"}
	for i := 0; i < n; i++ {
		a.Watches = append(a.Watches, inventory.Line{CircuitID: fmt.Sprintf("DL%05d", i), CustomerID: "C1",
			WatchAddress: addr(i), ZSite: "POP"})
	}
	return a
}

// TestDeriveWatches: a site's agent pings the probe addresses of its own
// lines and the watch addresses of the lines it watches from their far
// end, in one probe; an agent named only by an element gets no site label
// (its own site applies); two lines with one address are refused with
// both named.
func TestDeriveWatches(t *testing.T) {
	a := assignment()
	a.Watches = []inventory.Line{{CircuitID: "0571-Z9", CustomerID: "C7", WatchAddress: "198.18.5.9"}}
	got, err := Derive(a, Profiles{Ping: PingProfile{Interval: time.Second, Count: 3}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseRemote("kv", got, baseConfig(t), probes.TypeInfo{})
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	ts := cfg.Probes[0].Targets
	if len(cfg.Probes) != 1 || len(ts) != 3 || ts[2].Address != "198.18.5.9" || ts[2].Labels.Line != "0571-Z9" ||
		ts[2].Labels.Customer != "C7" || ts[2].Labels.Site != "S1" {
		t.Errorf("derived targets %+v", ts)
	}
	pop := farWatcher(2, func(i int) string { return fmt.Sprintf("198.18.6.%d", i+1) })
	got, err = Derive(pop, Profiles{Ping: PingProfile{Interval: time.Second, Count: 3}}, nil)
	if err != nil || strings.Contains(string(got), "site:") || !strings.Contains(string(got), "elements naming agent pop-1") {
		t.Errorf("pop agent: %v\n%s", err, got)
	}
	a.Watches = append(a.Watches, inventory.Line{CircuitID: "0571-Z10", WatchAddress: "198.18.0.1"})
	if _, err := Derive(a, Profiles{Ping: PingProfile{Interval: time.Second, Count: 3}}, nil); err == nil ||
		err.Error() != "agent cpe-1: line 0571-Z10: watch_address 198.18.0.1 is already the target of line 0571-L1" {
		t.Errorf("shared address: %v", err)
	}
}

// TestDeriveWatches5000: a PoP agent watching 5,000 lines gets them all in
// one derived probe, which the agent's own rules accept and the shared
// ping engine runs: one round of every target, all at once as the
// scheduler starts them, each bounded by the probe's timeout, against
// loopback addresses (127.1.0.0/16: no traffic leaves the host).
func TestDeriveWatches5000(t *testing.T) {
	const n = 5000
	pop := farWatcher(n, func(i int) string { return fmt.Sprintf("127.1.%d.%d", i/250, i%250+1) })
	// The controller's defaults for the derived ping probe (controller/config).
	prof := Profiles{Ping: PingProfile{Interval: time.Second, Count: 3, PacketInterval: 10 * time.Millisecond}}
	got, err := Derive(pop, prof, nil)
	if err != nil {
		t.Fatal(err)
	}
	base, err := config.Parse("agent.yaml", []byte("agent_id: pop-1\nsite: {id: POP}\nnats: {urls: [nats://127.0.0.1:4222]}\n"+
		"remote_config: {enabled: true, cache_file: /tmp/unused.yaml}\n"), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.ParseRemote("kv", got, base, probes.TypeInfo{})
	if err != nil {
		t.Fatalf("the agent refuses the derived probe: %v", err)
	}
	if len(cfg.Probes) != 1 || len(cfg.Probes[0].Targets) != n {
		t.Fatalf("derived %d probes", len(cfg.Probes))
	}
	p := cfg.Probes[0]
	// The round runs with a long timeout: what is checked is that the
	// engine matches every reply at this fan-out, not how fast a loaded
	// machine (CI runs packages side by side) schedules 5,000 readers; the
	// derived timing is checked above by the agent's own config parser.
	const roundTimeout = 30 * time.Second
	pr, _, err := probes.New(probe.Spec{Name: p.Name, Type: p.Type, Interval: time.Minute, Timeout: roundTimeout, Options: p.Options, File: "kv"})
	if err != nil {
		lab.Missing(t, "the ping engine cannot start here (needs root or net.ipv4.ping_group_range): %v", err)
		return
	}
	if c, ok := pr.(interface{ Close() error }); ok {
		defer c.Close()
	}
	var answered, lost atomic.Int64
	var wg sync.WaitGroup
	for _, tg := range p.Targets {
		wg.Add(1)
		go func(addr string) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), roundTimeout)
			defer cancel()
			for _, s := range pr.Probe(ctx, addr) {
				if s.Fields["recv"] > 0 {
					answered.Add(1)
				} else {
					lost.Add(1)
				}
			}
		}(tg.Address)
	}
	wg.Wait()
	// Loopback answers every request; a round lost here is the engine
	// failing at this fan-out, not the network.
	if answered.Load() != n || lost.Load() != 0 {
		t.Errorf("one round of %d targets: %d answered, %d lost", n, answered.Load(), lost.Load())
	}
}
