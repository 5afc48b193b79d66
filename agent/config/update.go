package config

import (
	"fmt"
	"net/url"
	"time"

	"github.com/vantage-net/vantage/internal/releasesig"
	"github.com/vantage-net/vantage/internal/yamlstrict"
)

// Update lets the controller replace this agent's binary with a signed
// release (agent/update). Local file only: a remote config can name a
// release but never change the key that must have signed it.
//
//	update:
//	  public_key: "ed25519:…"   # from vantage-controller release keygen
//	  health_deadline: 2m
type Update struct {
	// PublicKey is the pinned release key; without it every offered
	// release is refused (and reported).
	PublicKey string `yaml:"public_key"`
	// MaxBytes caps a download (default 64MiB).
	MaxBytes ByteSize `yaml:"max_bytes"`
	// Timeout bounds one download (default 5m: 10 MB over a slow uplink).
	Timeout time.Duration `yaml:"timeout"`
	// HealthDeadline is how long a new binary has to report healthy (a
	// result batch acknowledged or its config read) before it is rolled
	// back (default 2m).
	HealthDeadline time.Duration `yaml:"health_deadline"`
}

// Release is the release the controller wants this agent to run: the
// remote config's release block, derived by the controller's rollout.
type Release struct {
	// Version is the buildinfo version of the release.
	Version string `yaml:"version"`
	// URL is where the binary is downloaded (http or https).
	URL string `yaml:"url"`
	// SHA256 (hex), Size (bytes) and Signature (base64 ed25519) are what
	// the agent verifies before it runs anything.
	SHA256    string `yaml:"sha256"`
	Size      int64  `yaml:"size"`
	Signature string `yaml:"signature"`
}

func (u *Update) setDefaults() {
	if u.MaxBytes == 0 {
		u.MaxBytes = 64 << 20
	}
	if u.Timeout == 0 {
		u.Timeout = 5 * time.Minute
	}
	if u.HealthDeadline == 0 {
		u.HealthDeadline = 2 * time.Minute
	}
}

func (c *Config) validateUpdate() yamlstrict.Errors {
	var errs yamlstrict.Errors
	bad := func(path []string, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s: %s: %s", c.at(c.lineOf(path...)), joinPath(path), fmt.Sprintf(format, args...)))
	}
	u := c.Update
	if u.PublicKey != "" {
		if _, err := releasesig.ParsePublicKey(u.PublicKey); err != nil {
			bad([]string{"update", "public_key"}, "%v", err)
		} else if !c.RemoteConfig.Enabled {
			bad([]string{"update", "public_key"}, "needs remote_config.enabled: true (releases are offered in the remote config)")
		}
	}
	if u.MaxBytes < 0 || u.Timeout < 0 || u.HealthDeadline < 0 {
		bad([]string{"update"}, "max_bytes, timeout and health_deadline must not be negative")
	}
	if r := c.Release; r != nil {
		m := releasesig.Meta{OS: "linux", Arch: "amd64", Version: r.Version, Size: r.Size, SHA256: r.SHA256}
		if err := m.Check(); err != nil {
			bad([]string{"release"}, "%v", err)
		}
		if pu, err := url.Parse(r.URL); err != nil || pu.Host == "" || (pu.Scheme != "http" && pu.Scheme != "https") {
			bad([]string{"release", "url"}, "%q is not an http(s) URL", r.URL)
		}
		if r.Signature == "" {
			bad([]string{"release", "signature"}, "is required")
		}
	}
	return errs
}

func joinPath(p []string) string {
	s := p[0]
	for _, k := range p[1:] {
		s += "." + k
	}
	return s
}
