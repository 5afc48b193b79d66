package enroll

import (
	"context"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/agent/config"
	ctrlenroll "github.com/vantage-net/vantage/controller/enroll"
	"github.com/vantage-net/vantage/controller/store/sqlite"
	"github.com/vantage-net/vantage/probes"
)

// controller serves the real enrolment endpoint over TLS (httptest's
// certificate for 127.0.0.1) on a real, migrated database; it returns the
// store, the URL and a CA file that verifies the server.
func controller(t *testing.T) (*ctrlenroll.Store, string, string) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "vantage.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := ctrlenroll.NewStore(db, time.Now)
	srv := httptest.NewTLSServer(ctrlenroll.Handler(st, slog.New(slog.NewTextHandler(io.Discard, nil)), nil))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return st, srv.URL, ca
}

func TestEnrollWritesConfigOnce(t *testing.T) {
	st, url, ca := controller(t)
	ctx := context.Background()
	tok, err := st.Create(ctx, "cpe-0001", []string{"tls://127.0.0.1:4222"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "agent.yaml")
	id, err := Run(ctx, Options{Controller: url, Token: tok.Token, CAFile: ca, Out: out, StateDir: "/var/lib/vantage-agent"})
	if err != nil || id != "cpe-0001" {
		t.Fatalf("Run: %q, %v", id, err)
	}
	st0, err := os.Stat(out)
	if err != nil || st0.Mode().Perm() != 0o600 {
		t.Fatalf("config %v mode %v, want 0600", err, st0.Mode())
	}
	cfg, err := config.Load(out, probes.TypeInfo{})
	if err != nil {
		t.Fatalf("the agent cannot start from the enrolled config: %v", err)
	}
	if cfg.AgentID != "cpe-0001" || cfg.NATS.User != "cpe-0001" || len(cfg.NATS.Password) < 20 ||
		strings.Join(cfg.NATS.URLs, ",") != "tls://127.0.0.1:4222" || cfg.Spool.Dir != "/var/lib/vantage-agent/spool" ||
		!cfg.RemoteConfig.Enabled || cfg.RemoteConfig.CacheFile != "/var/lib/vantage-agent/remote-config.yaml" {
		t.Errorf("config: %+v", cfg)
	}
	if cfg.NATS.TLS == nil || cfg.NATS.TLS.CAFile != ca {
		t.Errorf("nats.tls.ca_file: %+v, want %s", cfg.NATS.TLS, ca)
	}

	// Single use: the same token again is refused, and no file is left.
	again := filepath.Join(t.TempDir(), "again.yaml")
	if _, err := Run(ctx, Options{Controller: url, Token: tok.Token, CAFile: ca, Out: again, StateDir: "/var/lib/vantage-agent"}); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("second use: %v, want 403", err)
	}
	if _, err := os.Stat(again); !os.IsNotExist(err) {
		t.Errorf("a refused enrolment left %s: %v", again, err)
	}
}

func TestEnrollRefusesBeforeSpendingToken(t *testing.T) {
	st, url, ca := controller(t)
	ctx := context.Background()
	tok, err := st.Create(ctx, "cpe-0002", []string{"nats://127.0.0.1:4222"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(t.TempDir(), "agent.yaml")
	if err := os.WriteFile(existing, []byte("agent_id: old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	state := "/var/lib/vantage-agent"
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"existing config", Options{Controller: url, Token: tok.Token, CAFile: ca, Out: existing, StateDir: state}, "move the old one away"},
		{"plain http", Options{Controller: strings.Replace(url, "https", "http", 1), Token: tok.Token, CAFile: ca, Out: filepath.Join(t.TempDir(), "a.yaml"), StateDir: state}, "want https"},
		{"unknown CA", Options{Controller: url, Token: tok.Token, Out: filepath.Join(t.TempDir(), "b.yaml"), StateDir: state}, "certificate"},
		{"relative state dir", Options{Controller: url, Token: tok.Token, CAFile: ca, Out: filepath.Join(t.TempDir(), "c.yaml"), StateDir: "state"}, "absolute"},
	} {
		if _, err := Run(ctx, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "agent_id: old\n" {
		t.Errorf("the existing config was changed: %q", b)
	}
	// None of those spent the token.
	if _, err := st.Redeem(ctx, tok.Token); err != nil {
		t.Errorf("token spent by a refused enrolment: %v", err)
	}
}
