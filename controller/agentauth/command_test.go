package agentauth

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	agentconfig "github.com/vantage-net/vantage/agent/config"
)

// noProbeTypes stands in for the probe registry; the written config has
// no probes.
type noProbeTypes struct{}

func (noProbeTypes) Known(string) (bool, []string)       { return false, nil }
func (noProbeTypes) ValidateTarget(string, string) error { return nil }

// The CLI against the same database file a running controller uses: add
// writes a config the agent loads and connects with; revoke cuts it off.
func TestCommandAddRevokeList(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	db := f.target
	cfgPath := filepath.Join(t.TempDir(), "cpe-7.yaml")
	var out bytes.Buffer
	run := func(args ...string) error { return Command(ctx, db, args, &out) }

	if err := run("agent", "add", "cpe-7", "--nats-url", f.url(), "--out", cfgPath); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(cfgPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v, mode %v", err, st.Mode())
	}
	c, err := agentconfig.Load(cfgPath, noProbeTypes{})
	if err != nil {
		t.Fatalf("agent cannot load the written config: %v", err)
	}
	if c.AgentID != "cpe-7" || c.NATS.User != "cpe-7" || c.NATS.URLs[0] != f.url() || len(c.NATS.Password) != 43 {
		t.Fatalf("config %+v", c.NATS)
	}
	f.secrets = append(f.secrets, c.NATS.Password)
	if strings.Contains(out.String(), c.NATS.Password) {
		t.Fatal("add printed the password")
	}
	if _, _, err := f.connect(nats.UserInfo(c.NATS.User, c.NATS.Password)); err != nil {
		t.Fatalf("connect with the written config: %v", err)
	}

	// A second add neither overwrites the file nor issues anything.
	before, _ := os.ReadFile(cfgPath)
	if err := run("add", "cpe-7", "--out", filepath.Join(t.TempDir(), "x.yaml")); !errors.Is(err, ErrExists) {
		t.Fatalf("second add: %v", err)
	}
	if err := run("add", "cpe-8", "--out", cfgPath); err == nil {
		t.Fatal("add overwrote an existing file")
	}
	if after, _ := os.ReadFile(cfgPath); !bytes.Equal(before, after) {
		t.Fatal("config file changed")
	}
	if cs, _ := f.store.List(ctx); len(cs) != 1 {
		t.Fatalf("a failed add left a credential: %+v", cs)
	}

	out.Reset()
	if err := run("list"); err != nil || !strings.Contains(out.String(), "cpe-7") {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	if err := run("revoke", "cpe-7"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.connect(nats.UserInfo(c.NATS.User, c.NATS.Password)); err == nil {
		t.Fatal("revoked agent connected")
	}
	for _, bad := range [][]string{{}, {"frob"}, {"add"}, {"add", "a.b"}, {"revoke", "nobody"}, {"list", "extra"}} {
		if err := run(bad...); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
