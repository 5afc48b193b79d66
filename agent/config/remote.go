package config

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vantage-net/vantage/internal/yamlstrict"
)

// RemoteConfig lets the controller set this agent's probes through the
// JetStream KV bucket VANTAGE_AGENT_CONFIG, key = agent_id (agent/remote).
// The local file keeps everything about reaching the controller; the
// controller's config replaces only the keys in RemoteKeys.
//
//	remote_config:
//	  enabled: true
//	  cache_file: /var/lib/vantage-agent/remote-config.yaml
type RemoteConfig struct {
	// Enabled makes the agent watch its key and apply new revisions without
	// restarting.
	Enabled bool `yaml:"enabled"`
	// CacheFile is where the last applied remote config is kept (an
	// absolute path), so the agent starts with it when NATS is unreachable
	// at boot instead of with the local file's probes. Required when enabled:
	// an agent that forgets its probes on every reboot during an outage
	// measures nothing exactly when it matters.
	CacheFile string `yaml:"cache_file"`
}

// RemoteKeys are the top-level keys a remote config may set. They are the
// ones the agent can apply while it runs: probe sets (rebuilt per probe),
// the site (labels) and the heartbeat interval. Everything else stays with
// the local file: connection settings (nats) because a bad one would cut the
// agent off from the controller that could fix it; spool, publish, traps,
// http_listen, max_procs and log_level because they are bound when the
// process starts; remote_config itself for both reasons. agent_id may be
// given but must be the agent's own: it guards against a config stored
// under the wrong key.
//
// release (the version the controller wants running) may only come from a
// remote config; the key it must be signed with (update) only from the local
// file.
var RemoteKeys = []string{"agent_id", "site", "probes", "heartbeat_interval", "release"}

func (c *Config) validateRemote() yamlstrict.Errors {
	r := c.RemoteConfig
	var errs yamlstrict.Errors
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: remote_config.%s: %s", c.at(c.lineOf("remote_config", key)), key, fmt.Sprintf(format, args...)))
	}
	switch {
	case !r.Enabled && r.CacheFile != "":
		bad("enabled", "cache_file is given but enabled is false")
	case r.Enabled && r.CacheFile == "":
		bad("cache_file", "is required when enabled (the last good remote config is kept there)")
	case r.Enabled && !filepath.IsAbs(r.CacheFile):
		bad("cache_file", "%q must be an absolute path", r.CacheFile)
	}
	return errs
}

// ParseRemote decodes a remote config (the value of the agent's KV key, or
// the cache file) and returns base with the remote keys replaced, validated
// with the same rules as a local file. base is the agent's local config; it
// is not modified. file names the source in messages, whose lines are the
// remote text's.
func ParseRemote(file string, data []byte, base *Config, types TypeInfo) (*Config, error) {
	var r Config
	if err := yamlstrict.Decode(file, data, &r); err != nil {
		return nil, err
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	c := *base // shallow: the slices and nodes replaced below are not shared with base
	c.file, c.root = file, root
	var errs yamlstrict.Errors
	allowed := strings.Join(RemoteKeys, ", ")
	doc := &root // a mapping: Decode refused anything else
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	keys := map[string]bool{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k := doc.Content[i]
		keys[k.Value] = true
		if !isRemoteKey(k.Value) {
			errs = append(errs, fmt.Sprintf("%s:%d: %s: cannot be set by a remote config (allowed: %s); it stays as in the local file %s",
				file, k.Line, k.Value, allowed, base.file))
		}
	}
	if keys["agent_id"] && r.AgentID != base.AgentID {
		errs = append(errs, fmt.Sprintf("%s: agent_id: %q is not this agent (%q): config stored under the wrong key?",
			c.at(c.lineOf("agent_id")), r.AgentID, base.AgentID))
	}
	if keys["site"] {
		c.Site = r.Site
	}
	c.Release = r.Release // absent: no release wanted
	if keys["heartbeat_interval"] {
		c.HeartbeatInterval = r.HeartbeatInterval
	}
	// The probe set is the remote config's, whole: a key without probes
	// means no probes, not the local file's.
	c.Probes = r.Probes
	c.setDefaults()
	errs = append(errs, c.validate(types)...)
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return lineOfMsg(errs[i]) < lineOfMsg(errs[j]) })
		return nil, errs
	}
	c.root = yaml.Node{} // as Parse: only validation needs it
	return &c, nil
}

// CheckRemote validates a remote config for agentID without the agent's
// local file: the controller's check before it publishes. Probe options are
// decoded by the probe type when the agent builds the probe, so a bad option
// is reported by the agent's status, not here.
func CheckRemote(file string, data []byte, agentID string, types TypeInfo) error {
	base := &Config{AgentID: agentID, NATS: NATS{URLs: []string{"nats://controller:4222"}}, file: "(agent's local file)"}
	base.setDefaults()
	_, err := ParseRemote(file, data, base, types)
	return err
}

func isRemoteKey(k string) bool {
	for _, r := range RemoteKeys {
		if k == r {
			return true
		}
	}
	return false
}

// lineOfMsg extracts the line from "file:line: ..." for ordering; messages
// without one sort first.
func lineOfMsg(m string) int {
	var line int
	if i := strings.LastIndex(strings.SplitN(m, ": ", 2)[0], ":"); i >= 0 {
		_, _ = fmt.Sscanf(m[i+1:], "%d", &line)
	}
	return line
}
