package remote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/probes"
)

func localConfig(t *testing.T, cache string) *config.Config {
	t.Helper()
	c, err := config.Parse("agent.yaml", []byte("agent_id: cpe-1\nnats: {urls: [nats://127.0.0.1:4222]}\nremote_config: {enabled: true, cache_file: "+cache+"}\n"), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCacheRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "remote.yaml")
	local := localConfig(t, path)
	if c, rev, err := LoadCache(local, probes.TypeInfo{}); c != nil || rev != 0 || err != nil {
		t.Fatalf("no cache yet: %v %d %v", c, rev, err)
	}
	yaml := []byte("probes:\n  - {name: erp, type: dial, interval: 1s, targets: ['127.0.0.1:1'], options: {kind: tcp}}\n")
	if err := SaveCache(path, "cpe-1", 42, yaml); err != nil {
		t.Fatal(err)
	}
	c, rev, err := LoadCache(local, probes.TypeInfo{})
	if err != nil || rev != 42 || len(c.Probes) != 1 || c.Probes[0].Name != "erp" {
		t.Fatalf("loaded %v rev %d err %v", c, rev, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("cache mode %v, want 0600 (options may hold secrets)", fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".remote-config-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestCacheRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "remote.yaml")
	local := localConfig(t, path)
	for data, want := range map[string]string{
		"probes: []\n": "not a remote config cache",
		"# vantage-agent remote config: agent cpe-2 revision 3 (written by the agent; edits are overwritten)\nprobes: []\n":                         `cached for agent "cpe-2"`,
		"# vantage-agent remote config: agent cpe-1 revision 3 (written by the agent; edits are overwritten)\nprobes:\n  - {name: x, type: warp}\n": path + `:3: probes[0].type: "warp" is not a probe type`,
	} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := LoadCache(local, probes.TypeInfo{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %s", data, err, want)
		}
	}
}
