package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/vantage-net/vantage/internal/releasesig"
)

// Releases holds signed agent releases and rolls them out to managed agents
// through their remote config (controller/release).
//
//	releases:
//	  dir: /var/lib/vantage/releases
//	  public_key: "ed25519:…"          # release keygen's signing.key.pub
//	  base_url: http://controller.example:9100
//	  rollouts:
//	    - name: hotspots-v1.4
//	      version: v1.4.0
//	      site_kinds: [hotspot]
//	      canary_percent: 5
//	      max_failures: 2
//	      soak: 30m
type Releases struct {
	// Dir holds the releases (default DataDir/releases).
	Dir string `yaml:"dir"`
	// PublicKey verifies every release added or offered; agents pin the
	// same key (update.public_key).
	PublicKey string `yaml:"public_key"`
	// BaseURL is how agents reach this controller's http_listen (binaries
	// are served at BaseURL/releases/<os>/<arch>/<version>, no token
	// needed: they are not secret, the signature is what agents trust).
	BaseURL string `yaml:"base_url"`
	// Rollouts give agent groups a desired version; an agent takes the
	// first rollout whose group holds it.
	Rollouts []Rollout `yaml:"rollouts"`
}

// Rollout is one desired version for one group (controller/release.Rollout).
type Rollout struct {
	// Name identifies the rollout (logs, canary pick).
	Name string `yaml:"name"`
	// Version must be a release in Dir for each agent's os/arch; agents
	// whose target has no such release are not offered it.
	Version string `yaml:"version"`
	// Agents, SiteKinds (cpe, hotspot) and Tiers (customer tier) select
	// the group; all empty means every managed agent.
	Agents    []string `yaml:"agents"`
	SiteKinds []string `yaml:"site_kinds"`
	Tiers     []string `yaml:"tiers"`
	// CanaryPercent updates first (default 10; 100 means all at once).
	CanaryPercent int `yaml:"canary_percent"`
	// MaxFailures canaries reporting the version failed pause the
	// rollout (default 1).
	MaxFailures int `yaml:"max_failures"`
	// Soak is how long all canaries must run the version before the rest
	// get it (default 10m).
	Soak time.Duration `yaml:"soak"`
}

func (c *Config) setReleasesDefaults() {
	r := c.Releases
	if r == nil {
		return
	}
	if r.Dir == "" {
		r.Dir = filepath.Join(c.DataDir, "releases")
	}
	for i := range r.Rollouts {
		ro := &r.Rollouts[i]
		if ro.CanaryPercent == 0 {
			ro.CanaryPercent = 10
		}
		if ro.MaxFailures == 0 {
			ro.MaxFailures = 1
		}
		if ro.Soak == 0 {
			ro.Soak = 10 * time.Minute
		}
	}
}

func (c *Config) validateReleases(bad func(field, format string, args ...any)) {
	r := c.Releases
	if r == nil {
		return
	}
	if _, err := releasesig.ParsePublicKey(r.PublicKey); err != nil {
		bad("releases.public_key", "%v", err)
	}
	if u, err := url.Parse(r.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		bad("releases.base_url", "%q is not an http(s) URL agents can reach", r.BaseURL)
	}
	if len(r.Rollouts) > 0 && !c.RemoteConfig.Enabled {
		bad("releases.rollouts", "need remote_config.enabled: true (releases reach agents in their remote config)")
	}
	names := map[string]bool{}
	for i, ro := range r.Rollouts {
		f := fmt.Sprintf("releases.rollouts[%d]", i)
		if ro.Name == "" || names[ro.Name] {
			bad(f+".name", "%q must be set and unique", ro.Name)
		}
		names[ro.Name] = true
		m := releasesig.Meta{OS: "linux", Arch: "amd64", Version: ro.Version, Size: 1, SHA256: "0000000000000000000000000000000000000000000000000000000000000000"}
		if err := m.Check(); err != nil {
			bad(f+".version", "%v", err)
		}
		if ro.CanaryPercent < 1 || ro.CanaryPercent > 100 {
			bad(f+".canary_percent", "%d is outside 1..100", ro.CanaryPercent)
		}
		if ro.MaxFailures < 1 {
			bad(f+".max_failures", "%d must be at least 1", ro.MaxFailures)
		}
		if ro.Soak < 0 {
			bad(f+".soak", "%s must not be negative", ro.Soak)
		}
	}
}
