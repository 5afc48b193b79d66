package config

import (
	"strings"
	"testing"
	"time"
)

func TestReleasesValidation(t *testing.T) {
	base := "influx: {url: http://127.0.0.1:8086, bucket: vantage}\nremote_config: {enabled: true}\n"
	key := `"ed25519:` + strings.Repeat("A", 43) + `="`
	for _, tc := range []struct{ text, want string }{
		{"releases: {public_key: nope, base_url: http://c:9100}\n", "controller.yaml:3: releases.public_key: not an ed25519 public key"},
		{"releases: {public_key: " + key + ", base_url: c:9100}\n", `releases.base_url: "c:9100" is not an http(s) URL`},
		{"releases: {public_key: " + key + ", base_url: http://c, rollouts: [{name: a, version: \"v 1\"}]}\n", "releases.rollouts[0].version: version:"},
		{"releases: {public_key: " + key + ", base_url: http://c, rollouts: [{name: a, version: v1, canary_percent: 101}]}\n", "releases.rollouts[0].canary_percent: 101 is outside 1..100"},
		{"releases: {public_key: " + key + ", base_url: http://c, rollouts: [{name: a, version: v1}, {name: a, version: v2}]}\n", `releases.rollouts[1].name: "a" must be set and unique`},
	} {
		_, err := Parse("controller.yaml", []byte(base+tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.text, err, tc.want)
		}
	}
	_, err := Parse("controller.yaml", []byte("influx: {url: http://127.0.0.1:8086, bucket: vantage}\nreleases: {public_key: "+key+", base_url: http://c, rollouts: [{name: a, version: v1}]}\n"))
	if err == nil || !strings.Contains(err.Error(), "releases.rollouts: need remote_config.enabled: true") {
		t.Errorf("rollouts without remote config: %v", err)
	}
	c, err := Parse("controller.yaml", []byte(base+"data_dir: /d\nreleases: {public_key: "+key+", base_url: http://c, rollouts: [{name: a, version: v1}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Releases.Rollouts[0]
	if c.Releases.Dir != "/d/releases" || r.CanaryPercent != 10 || r.MaxFailures != 1 || r.Soak != 10*time.Minute {
		t.Errorf("defaults: dir %q, rollout %+v", c.Releases.Dir, r)
	}
}
