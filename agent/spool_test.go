package agent

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/agent/spool"
	"github.com/vantage-net/vantage/probes"
)

// TestResultsSpooledToDiskWhileNATSIsDown: with spool.dir set, an agent
// that cannot reach NATS keeps every result it produced on disk, where the
// next process finds them.
func TestResultsSpooledToDiskWhileNATSIsDown(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	go func() {
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	natsURL := "nats://" + dead.Addr().String()
	dead.Close() // nothing listens: NATS is down
	dir := t.TempDir()
	cfg, err := config.Parse("agent.yaml", []byte(fmt.Sprintf(`agent_id: cpe-1
nats: {urls: [%s]}
publish: {batch_delay: 50ms}
spool: {dir: %s, fsync: always}
probes:
  - name: erp
    type: dial
    interval: 100ms
    targets: [%s]
    options: {kind: tcp}
`, natsURL, dir, tcp.Addr())), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	a, err := New(Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	produced := 0.0
	mfs, _ := reg.Gather()
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
		if mf.GetName() == "vantage_agent_results_total" {
			for _, m := range mf.GetMetric() {
				produced += m.GetCounter().GetValue()
			}
		}
	}
	for _, n := range []string{"vantage_agent_spool_depth", "vantage_agent_spool_bytes", "vantage_agent_spool_dropped_total"} {
		if !names[n] {
			t.Errorf("metric %s missing", n)
		}
	}
	st := a.Stats()
	if produced < 3 || st.Queued != int(produced) || st.Published != 0 || st.Dropped != 0 {
		t.Fatalf("produced %v, stats %+v", produced, st)
	}
	sp, err := spool.Open(spool.Options{Dir: dir, MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if sp.Depth() != int(produced) {
		t.Fatalf("the next start finds %d results on disk, %v were produced", sp.Depth(), produced)
	}
}
