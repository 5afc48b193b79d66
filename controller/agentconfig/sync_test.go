package agentconfig

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-net/vantage/controller/inventory"
	"github.com/vantage-net/vantage/controller/store/storetest"
)

// TestMain gives the package one PostgreSQL cluster when
// VANTAGE_TEST_DB=postgres (storetest).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// TestSyncer runs the sync against a real inventory database and a real
// JetStream bucket: first round publishes every managed agent, an
// unchanged inventory publishes nothing, a moved line republishes the two
// agents it concerns, and a bad extra file holds back only its agent.
func TestSyncer(t *testing.T) {
	_, js := connect(t)
	ctx := context.Background()
	dir := t.TempDir()
	store, db, err := inventory.Open(ctx, storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	load := func(text string) {
		t.Helper()
		p := filepath.Join(dir, "inv.yaml")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		set, err := inventory.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Import(ctx, set, inventory.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	load(`customers:
  - {id: C1, name: One, tier: gold}
sites:
  - {id: S1, customer: C1, kind: cpe, name: HQ, agent: cpe-1}
  - {id: S2, customer: C1, kind: cpe, name: Branch, agent: cpe-2}
lines:
  - {circuit_id: L1, customer: C1, a_end_site: S1, probe_address: 198.18.0.1}
  - {circuit_id: L2, customer: C1, a_end_site: S1, probe_address: 198.18.0.2}
`)
	extraDir := t.TempDir()
	reg := prometheus.NewRegistry()
	s := NewSyncer(js, store, SyncOptions{Refresh: time.Second, ExtraDir: extraDir,
		Ping: PingProfile{Interval: time.Second, Count: 1}}, slog.New(slog.NewTextHandler(io.Discard, nil)), reg)
	sync := func(want int) {
		t.Helper()
		n, err := s.Sync(ctx)
		if err != nil || n != want {
			t.Fatalf("Sync published %d (err %v), want %d", n, err, want)
		}
	}
	sync(2)
	sync(0)
	cfg1, rev1, _ := Get(ctx, js, "cpe-1")
	if !strings.Contains(string(cfg1), "line: L1") || !strings.Contains(string(cfg1), "line: L2") {
		t.Errorf("cpe-1 config:\n%s", cfg1)
	}
	// A restarted controller (empty cache) compares with the bucket and
	// publishes nothing new.
	fresh := NewSyncer(js, store, s.opts, s.log, nil)
	if n, err := fresh.Sync(ctx); err != nil || n != 0 {
		t.Errorf("restarted syncer published %d (err %v), want 0", n, err)
	}
	load("lines:\n  - {circuit_id: L2, customer: C1, a_end_site: S2, probe_address: 198.18.0.2}\n")
	sync(2)
	cfg1, rev1b, _ := Get(ctx, js, "cpe-1")
	cfg2, _, _ := Get(ctx, js, "cpe-2")
	if rev1b == rev1 || strings.Contains(string(cfg1), "L2") || !strings.Contains(string(cfg2), "line: L2") {
		t.Errorf("after moving L2: cpe-1 rev %d→%d\n%s\ncpe-2\n%s", rev1, rev1b, cfg1, cfg2)
	}
	// cpe-2's extra file is bad: cpe-2 keeps its config, cpe-1 still moves.
	if err := os.WriteFile(filepath.Join(extraDir, "cpe-2.yaml"), []byte("probes:\n  - {name: lines, type: ping}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	load("lines:\n  - {circuit_id: L3, customer: C1, a_end_site: S1, probe_address: 198.18.0.3}\n")
	sync(1)
	if got := gauge(t, reg, "vantage_controller_agent_config_errors_total"); got != 1 {
		t.Errorf("errors counted %v, want 1", got)
	}
	if after, _, _ := Get(ctx, js, "cpe-2"); string(after) != string(cfg2) {
		t.Errorf("cpe-2 changed despite its bad extra file:\n%s", after)
	}
	if got := gauge(t, reg, "vantage_controller_managed_agents"); got != 2 {
		t.Errorf("managed agents gauge %v, want 2", got)
	}
}

// gauge reads a single-series metric from reg.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			return m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

// TestSyncerConfirmTiers: with confirmation on, the syncer reads every
// customer's tier from the inventory (more than one page of them) and
// publishes each line's priority: the gold line 2, the standard one none.
func TestSyncerConfirmTiers(t *testing.T) {
	_, js := connect(t)
	ctx := context.Background()
	dir := t.TempDir()
	store, db, err := inventory.Open(ctx, storetest.Target(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	b.WriteString("customers:\n")
	for i := 0; i < 1500; i++ { // two pages of customers
		fmt.Fprintf(&b, "  - {id: C%04d, name: C%d, tier: standard}\n", i, i)
	}
	b.WriteString("  - {id: C9999, name: Gold, tier: gold}\n")
	b.WriteString("sites:\n  - {id: S1, customer: C9999, kind: cpe, name: HQ, agent: cpe-1}\nlines:\n")
	b.WriteString("  - {circuit_id: L1, customer: C9999, a_end_site: S1, probe_address: 198.18.0.1}\n")
	b.WriteString("  - {circuit_id: L2, customer: C0001, a_end_site: S1, probe_address: 198.18.0.2}\n")
	p := filepath.Join(dir, "inv.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := inventory.ParseFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Import(ctx, set, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	s := NewSyncer(js, store, SyncOptions{Refresh: time.Second, Ping: PingProfile{Interval: time.Second, Count: 3,
		Confirm: ConfirmProfile{Interval: 200 * time.Millisecond, Watch: time.Minute, DefaultK: 3}}},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if n, err := s.Sync(ctx); err != nil || n != 1 {
		t.Fatalf("Sync published %d (err %v), want 1", n, err)
	}
	cfg, _, _ := Get(ctx, js, "cpe-1")
	for _, want := range []string{"line: L1\n            site: S1\n          priority: 2\n", "rounds: 3\n"} {
		if !strings.Contains(string(cfg), want) {
			t.Fatalf("config lacks %q:\n%s", want, cfg)
		}
	}
	if n := strings.Count(string(cfg), "priority:"); n != 1 {
		t.Fatalf("%d priorities, want only the gold line's:\n%s", n, cfg)
	}
}
