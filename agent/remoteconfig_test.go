package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/agent/remote"
	"github.com/vantage-net/vantage/controller/agentconfig"
	"github.com/vantage-net/vantage/probes"
	"github.com/vantage-net/vantage/probes/result"
)

// TestRemoteConfig runs an agent against an in-process JetStream server and
// drives it only through controller/agentconfig: probes added, changed and
// removed without a restart; invalid configs refused with the reason while
// the old one keeps running; and a restart with NATS down starting from the
// cached last good revision.
func TestRemoteConfig(t *testing.T) {
	srv := startJetStream(t)
	url := srv.ClientURL()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "VANTAGE_RESULTS", Subjects: []string{"vantage.results.>"}}); err != nil {
		t.Fatal(err)
	}
	statuses, err := agentconfig.NewStatusWatcher(nc, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer statuses.Close()
	var hbMu sync.Mutex
	var lastHB result.Heartbeat
	if _, err := nc.Subscribe("vantage.heartbeat.cpe-1", func(m *nats.Msg) {
		hbMu.Lock()
		defer hbMu.Unlock()
		_ = json.Unmarshal(m.Data, &lastHB)
	}); err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()

	tcpA, tcpB, tcpC := listenTCP(t), listenTCP(t), listenTCP(t)
	cache := filepath.Join(t.TempDir(), "state", "remote-config.yaml")
	local := fmt.Sprintf(`agent_id: cpe-1
nats: {urls: [%%s]}
heartbeat_interval: 1s
publish: {batch_delay: 50ms}
remote_config: {enabled: true, cache_file: %s}
probes:
  - {name: boot, type: dial, interval: 100ms, targets: [%s], options: {kind: tcp}}
`, cache, tcpA)

	a, reg, stop := runAgent(t, fmt.Sprintf(local, url))
	checkFor(t, "local probe to run", func() bool { return produced(reg, "boot") > 0 })

	// Revision 1: two probes replace the local one.
	rev1, err := agentconfig.Put(ctx, js, "cpe-1", fmt.Appendf(nil, `probes:
  - {name: erp, type: dial, interval: 100ms, targets: [%s], options: {kind: tcp}}
  - {name: web, type: dial, interval: 100ms, targets: [%s], options: {kind: tcp}}
`, tcpA, tcpB))
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, statuses, rev1, true)
	checkFor(t, "erp and web to run", func() bool { return produced(reg, "erp") > 0 && produced(reg, "web") > 0 })
	boot := settle(reg, "boot")
	time.Sleep(300 * time.Millisecond)
	if produced(reg, "boot") != boot {
		t.Error("the local probe kept running after revision 1")
	}
	a.mu.Lock()
	erpRun := a.runs["erp"]
	a.mu.Unlock()

	// Revision 2: web removed, mail added, erp unchanged.
	rev2, err := agentconfig.Put(ctx, js, "cpe-1", fmt.Appendf(nil, `probes:
  - {name: erp, type: dial, interval: 100ms, targets: [%s], options: {kind: tcp}}
  - {name: mail, type: dial, interval: 100ms, targets: [%s], options: {kind: tcp}}
`, tcpA, tcpC))
	if err != nil {
		t.Fatal(err)
	}
	waitStatus(t, statuses, rev2, true)
	checkFor(t, "mail to run", func() bool { return produced(reg, "mail") > 0 })
	web := settle(reg, "web")
	time.Sleep(300 * time.Millisecond)
	if produced(reg, "web") != web {
		t.Error("removed probe web still produces results")
	}
	a.mu.Lock()
	kept := a.runs["erp"] == erpRun
	a.mu.Unlock()
	if !kept {
		t.Error("unchanged probe erp was restarted (its schedule phase lost)")
	}
	checkFor(t, "heartbeat with revision 2", func() bool {
		hbMu.Lock()
		defer hbMu.Unlock()
		return lastHB.ConfigRevision == rev2 && lastHB.Probes == 2
	})

	// Put refuses what the agent would refuse, and publishes nothing.
	_, err = agentconfig.Put(ctx, js, "cpe-1", []byte("nats: {urls: [nats://evil:4222]}\nprobes:\n  - {name: x, type: warp, interval: 1s, targets: [a]}\n"))
	for _, want := range []string{"@new:1: nats: cannot be set by a remote config", "@new:3: probes[0].type: \"warp\" is not a probe type"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Put error %v, want it to contain %q", err, want)
		}
	}
	if _, rev, _ := agentconfig.Get(ctx, js, "cpe-1"); rev != rev2 {
		t.Errorf("invalid config was published: revision %d, want %d", rev, rev2)
	}

	// Written to the bucket behind Put's back: the agent refuses it itself.
	kv, _ := js.KeyValue(ctx, remote.Bucket)
	rev3, err := kv.Put(ctx, "cpe-1", []byte("probes:\n  - name: erp\n    type: dial\n    interval: 10ms\n    targets: [x]\n"))
	if err != nil {
		t.Fatal(err)
	}
	st := waitStatus(t, statuses, rev3, false)
	if want := "VANTAGE_AGENT_CONFIG/cpe-1@" + fmt.Sprint(rev3) + ":2: probes[0].interval: 10ms is shorter than 100ms"; !strings.Contains(st.Error, want) || st.Running != rev2 {
		t.Errorf("status %+v, want error %q and running %d", st, want, rev2)
	}
	// Valid YAML a probe type cannot build (options are the type's): also refused.
	rev4, err := agentconfig.Put(ctx, js, "cpe-1", fmt.Appendf(nil, "probes:\n  - {name: erp, type: dial, interval: 1s, targets: [%s], options: {kind: pigeon}}\n", tcpA))
	if err != nil {
		t.Fatal(err)
	}
	if st := waitStatus(t, statuses, rev4, false); !strings.Contains(st.Error, "pigeon") {
		t.Errorf("status %+v, want the bad option named", st)
	}
	if a.Revision() != rev2 {
		t.Errorf("agent runs revision %d after refusals, want %d", a.Revision(), rev2)
	}
	checkFor(t, "mail to keep running", func() bool {
		m := produced(reg, "mail")
		time.Sleep(250 * time.Millisecond)
		return produced(reg, "mail") > m
	})
	stop()

	// Restart with NATS down: the agent starts from the cached revision 2.
	srv.Shutdown()
	srv.WaitForShutdown()
	data, err := os.ReadFile(cache)
	if err != nil || !strings.Contains(string(data), fmt.Sprintf("revision %d ", rev2)) {
		t.Fatalf("cache file: %v\n%s", err, data)
	}
	a2, reg2, stop2 := runAgent(t, fmt.Sprintf(local, url))
	defer stop2()
	if a2.Revision() != rev2 {
		t.Errorf("restarted agent runs revision %d, want cached %d", a2.Revision(), rev2)
	}
	checkFor(t, "cached probes to run with NATS down", func() bool { return produced(reg2, "erp") > 0 && produced(reg2, "mail") > 0 })
	if produced(reg2, "boot") != 0 || produced(reg2, "web") != 0 {
		t.Error("restarted agent ran probes outside the cached revision")
	}
}

func startJetStream(t *testing.T) *server.Server {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(s.Shutdown)
	return s
}

// runAgent starts an agent from config text; stop ends it and waits.
func runAgent(t *testing.T, text string) (*Agent, *prometheus.Registry, func()) {
	t.Helper()
	cfg, err := config.Parse("agent.yaml", []byte(text), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	a, err := New(Options{Config: cfg, Logger: quietLog(), Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	return a, reg, func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
}

func waitStatus(t *testing.T, w *agentconfig.StatusWatcher, rev uint64, applied bool) remote.Status {
	t.Helper()
	var st remote.Status
	checkFor(t, fmt.Sprintf("status of revision %d", rev), func() bool {
		var ok bool
		st, ok = w.Last("cpe-1")
		return ok && st.Revision == rev
	})
	if st.Applied != applied {
		t.Fatalf("revision %d: status %+v, want applied=%v", rev, st, applied)
	}
	return st
}

// produced reads vantage_agent_results_total for one probe.
func produced(reg *prometheus.Registry, probe string) float64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "vantage_agent_results_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "probe" && l.GetValue() == probe {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// settle waits for rounds started before a reload to finish (dial to
// loopback takes microseconds; the timeout is 80ms) and returns the count.
func settle(reg *prometheus.Registry, probe string) float64 {
	time.Sleep(200 * time.Millisecond)
	return produced(reg, probe)
}

func listenTCP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return l.Addr().String()
}

func quietLog() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// checkFor retries cond until it holds or the test's deadline nears.
func checkFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	if d, ok := t.Deadline(); ok && time.Until(d) < 25*time.Second {
		deadline = d.Add(-5 * time.Second)
	}
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
