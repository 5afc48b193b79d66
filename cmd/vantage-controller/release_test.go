package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseCommand runs the documented commands: keygen, sign on the
// side, add with the signature through the controller config's releases
// block, list; a signature by another key is refused.
func TestReleaseCommand(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		rc := releaseCmd(args, &out, &errOut)
		return rc, out.String(), errOut.String()
	}
	key := filepath.Join(dir, "signing.key")
	if rc, out, errOut := run("keygen", "--out", key); rc != 0 || !strings.Contains(out, "ed25519:") {
		t.Fatalf("keygen: %d %s %s", rc, out, errOut)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode: %v %v", fi, err)
	}
	if rc, _, errOut := run("keygen", "--out", key); rc == 0 || !strings.Contains(errOut, "never overwritten") {
		t.Fatalf("keygen over an existing key: %d %s", rc, errOut)
	}
	pub, _ := os.ReadFile(key + ".pub")
	cfg := filepath.Join(dir, "controller.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: "+dir+"\ninflux: {url: http://127.0.0.1:8086, bucket: v}\nreleases: {public_key: \""+strings.TrimSpace(string(pub))+"\", base_url: http://c:9100}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "vantage-agent-linux-mipsle")
	if err := os.WriteFile(bin, []byte("an agent binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	rc, sig, errOut := run("sign", "--arch", "mipsle", "--version", "v1.4.0", "--key", key, bin)
	if rc != 0 {
		t.Fatalf("sign: %s", errOut)
	}
	sigFile := filepath.Join(dir, "v1.4.0.sig")
	_ = os.WriteFile(sigFile, []byte(sig), 0o644)
	// The signature names mipsle: added as arm64 it does not verify.
	if rc, _, errOut := run("add", "--config", cfg, "--arch", "arm64", "--version", "v1.4.0", "--sig", sigFile, bin); rc == 0 || !strings.Contains(errOut, "signature does not verify") {
		t.Fatalf("replayed for another arch: %d %s", rc, errOut)
	}
	if rc, out, errOut := run("add", "--config", cfg, "--arch", "mipsle", "--version", "v1.4.0", "--sig", sigFile, bin); rc != 0 || !strings.Contains(out, "added linux/mipsle v1.4.0") {
		t.Fatalf("add: %d %s %s", rc, out, errOut)
	}
	if rc, out, _ := run("list", "--config", cfg); rc != 0 || !strings.HasPrefix(out, "linux\tmipsle\tv1.4.0\t15\t") {
		t.Fatalf("list: %q", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "releases", "linux", "mipsle", "v1.4.0", "vantage-agent")); err != nil {
		t.Fatalf("not under data_dir/releases: %v", err)
	}
	if rc, out, _ := run("--help"); rc != 0 || !strings.Contains(out, "release keygen") {
		t.Fatalf("--help: %d %q", rc, out)
	}
}
