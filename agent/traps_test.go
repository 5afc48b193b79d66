package agent

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/internal/lab"
	"github.com/vantage-net/vantage/probes"
)

// TestTrapsReachResults: a trap accepted by the listener lands in the
// channel the batcher reads, at once, as an snmp_event result.
func TestTrapsReachResults(t *testing.T) {
	port := lab.FreeUDPPort(t)
	cfg, err := config.Parse("agent.yaml", []byte(fmt.Sprintf(`
agent_id: pe-agent-01
nats: {urls: [nats://127.0.0.1:4222]}
traps:
  listen: 127.0.0.1:%d
  community: trap-secret
  devices:
    127.0.0.1:
      device: 198.18.0.2
      interfaces: [{index: 4, line: L-0004}]
`, port)), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(Options{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	stop, err := a.startTraps()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	g := &gosnmp.GoSNMP{Target: "127.0.0.1", Port: uint16(port), Version: gosnmp.Version2c, Community: "trap-secret", Timeout: time.Second}
	if err := g.Connect(); err != nil {
		t.Fatal(err)
	}
	defer g.Conn.Close()
	sent := time.Now()
	if _, err := g.SendTrap(gosnmp.SnmpTrap{Variables: []gosnmp.SnmpPDU{
		{Name: ".1.3.6.1.6.3.1.1.4.1.0", Type: gosnmp.ObjectIdentifier, Value: ".1.3.6.1.6.3.1.1.5.3"},
		{Name: ".1.3.6.1.2.1.2.2.1.1.4", Type: gosnmp.Integer, Value: 4},
	}}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-a.results:
		if r.Measurement != "snmp_event" || r.Probe != trapProbe || r.Tags["line"] != "L-0004" || r.Tags["kind"] != "link_down" || r.Time.Before(sent) {
			t.Errorf("result %+v", r)
		}
	case <-time.After(time.Second):
		t.Fatal("trap not in the results channel within 1s")
	}
}
