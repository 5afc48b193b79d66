package config

import (
	"strings"
	"testing"
	"time"
)

const localText = `agent_id: cpe-1
site: {id: S-1}
nats: {urls: [nats://127.0.0.1:4222]}
remote_config: {enabled: true, cache_file: /var/lib/vantage-agent/remote.yaml}
probes:
  - {name: boot, type: ping, interval: 1s, targets: [198.18.0.1]}
`

func TestParseRemote(t *testing.T) {
	local, err := Parse("agent.yaml", []byte(localText), fakeTypes{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseRemote("kv@3", []byte("agent_id: cpe-1\nheartbeat_interval: 30s\nsite: {id: S-2}\nprobes:\n  - {name: pop, type: ping, interval: 2s, targets: [198.18.0.2]}\n"), local, fakeTypes{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Probes) != 1 || c.Probes[0].Name != "pop" || c.Probes[0].Timeout != 1600*time.Millisecond ||
		c.HeartbeatInterval != 30*time.Second || c.Site.ID != "S-2" || c.NATS.URLs[0] != "nats://127.0.0.1:4222" {
		t.Errorf("merged config wrong: %+v", c)
	}
	if local.Probes[0].Name != "boot" || local.Site.ID != "S-1" {
		t.Error("ParseRemote changed the local config")
	}
}

// TestParseRemoteInvalid: every problem at once, with the remote text's
// lines, and keys outside RemoteKeys refused by name.
func TestParseRemoteInvalid(t *testing.T) {
	local, err := Parse("agent.yaml", []byte(localText), fakeTypes{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ text, want string }{
		{"spool: {dir: /tmp}\nlog_level: debug\n", `kv:1: spool: cannot be set by a remote config (allowed: agent_id, site, probes, heartbeat_interval, release); it stays as in the local file agent.yaml
kv:2: log_level: cannot be set by a remote config (allowed: agent_id, site, probes, heartbeat_interval, release); it stays as in the local file agent.yaml`},
		{"agent_id: cpe-2\n", `kv:1: agent_id: "cpe-2" is not this agent ("cpe-1"): config stored under the wrong key?`},
		{"heartbeat_interval: 1ms\nprobes:\n  - {name: p, type: warp, interval: 1s, targets: [x]}\n", `kv:1: heartbeat_interval: 1ms is shorter than 1s
kv:3: probes[0].type: "warp" is not a probe type (known: http, ping)`},
		{"probes:\n  - {name: p, colour: red}\n", "kv:2: probes[0].colour: unknown key"},
		{"heartbeat_interval: 2h\n", "kv:1: heartbeat_interval: 2h0m0s is longer than 1h"},
		{"- a\n", "kv:1: cannot unmarshal !!seq into config.Config"},
	} {
		_, err := ParseRemote("kv", []byte(tc.text), local, fakeTypes{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.text, err, tc.want)
		}
	}
}

func TestRemoteConfigBlock(t *testing.T) {
	for text, want := range map[string]string{
		"remote_config: {enabled: true}":                "remote_config.cache_file: is required when enabled",
		"remote_config: {enabled: true, cache_file: x}": `remote_config.cache_file: "x" must be an absolute path`,
		"remote_config: {cache_file: /x}":               "remote_config.enabled: cache_file is given but enabled is false",
		"remote_config: {enabled: yes, cach_file: /x}":  "remote_config.cach_file: unknown key",
	} {
		_, err := Parse("a.yaml", []byte("agent_id: a\nnats: {urls: [nats://h:4222]}\n"+text+"\n"), fakeTypes{})
		if err == nil || !strings.Contains(err.Error(), "a.yaml:3: "+want) {
			t.Errorf("%s: got %v, want %s", text, err, want)
		}
	}
}

func TestCheckRemote(t *testing.T) {
	if err := CheckRemote("kv", []byte("probes:\n  - {name: p, type: ping, interval: 1s, targets: [198.18.0.1]}\n"), "cpe-9", fakeTypes{}); err != nil {
		t.Error(err)
	}
	if err := CheckRemote("kv", []byte("nats: {urls: [nats://x:1]}\n"), "cpe-9", fakeTypes{}); err == nil {
		t.Error("nats accepted in a remote config")
	}
}

func TestRemoteReleaseButNeverTheKey(t *testing.T) {
	base, err := Parse("agent.yaml", []byte("agent_id: cpe-1\nnats: {urls: [nats://c:4222]}\nremote_config: {enabled: true, cache_file: /var/lib/x.yaml}\nupdate:\n  public_key: \"ed25519:"+strings.Repeat("A", 43)+"=\"\n"), fakeTypes{})
	if err != nil {
		t.Fatal(err)
	}
	sum := strings.Repeat("ab", 32)
	good := "release:\n  version: v2\n  url: http://c:9100/releases/linux/amd64/v2\n  sha256: " + sum + "\n  size: 10\n  signature: c2ln\n"
	c, err := ParseRemote("kv@1", []byte(good), base, fakeTypes{})
	if err != nil || c.Release == nil || c.Release.Version != "v2" || c.Update.PublicKey != base.Update.PublicKey {
		t.Fatalf("remote release: %+v, %v", c, err)
	}
	if c, err := ParseRemote("kv@2", []byte("probes: []\n"), base, fakeTypes{}); err != nil || c.Release != nil {
		t.Fatalf("no release block must mean no release: %v", err)
	}
	for doc, want := range map[string]string{
		"update:\n  public_key: \"ed25519:" + strings.Repeat("B", 43) + "=\"\n":                                  "kv@3:1: update: cannot be set by a remote config",
		"release:\n  version: \"v2\\nx\"\n  url: http://c/x\n  sha256: " + sum + "\n  size: 1\n  signature: s\n": "release: version:",
		"release:\n  version: v2\n  url: file:///etc/passwd\n  sha256: " + sum + "\n  size: 1\n  signature: s\n": "release.url:",
	} {
		if _, err := ParseRemote("kv@3", []byte(doc), base, fakeTypes{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", doc, err, want)
		}
	}
	if _, err := Parse("agent.yaml", []byte("agent_id: cpe-1\nnats: {urls: [nats://c:4222]}\n"+good), fakeTypes{}); err == nil || !strings.Contains(err.Error(), "agent.yaml:3: release: is set by the controller") {
		t.Errorf("local release: %v", err)
	}
}

func TestUpdateKeyNeedsRemoteConfig(t *testing.T) {
	_, err := Parse("agent.yaml", []byte("agent_id: cpe-1\nnats: {urls: [nats://c:4222]}\nupdate: {public_key: \"ed25519:"+strings.Repeat("A", 43)+"=\"}\n"), fakeTypes{})
	if err == nil || !strings.Contains(err.Error(), "agent.yaml:3: update.public_key: needs remote_config.enabled: true") {
		t.Fatalf("update key without remote config: %v", err)
	}
}
