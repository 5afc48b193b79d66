package config

import (
	"strings"
	"testing"
)

// Default rules lose the channels that are not configured, each tier on
// its own (ab_group and diamond once shared one slice, and trimming one
// corrupted the other at random map order).
func TestNotifyDefaultRulesKeepConfiguredChannels(t *testing.T) {
	for range 20 {
		c, err := Parse("c.yaml", []byte(`influx: {url: "http://127.0.0.1:8086", bucket: v/autogen}
notify:
  email: {host: 127.0.0.1, port: 2525, tls: none, from: noc@example.net}
`))
		if err != nil {
			t.Fatal(err)
		}
		o, err := c.Notify.NotifyOptions()
		if err != nil {
			t.Fatal(err)
		}
		for _, tier := range []string{"ab_group", "diamond"} {
			if got := strings.Join(o.Rules[tier].Channels, ","); got != "email" {
				t.Fatalf("%s channels %q, want email (sms is not configured)", tier, got)
			}
		}
	}
}

func TestNotifyInvalid(t *testing.T) {
	_, err := Parse("c.yaml", []byte(`influx: {url: "http://127.0.0.1:8086", bucket: v/autogen}
notify:
  email: {host: 127.0.0.1, tls: smoke, from: noc@example.net}
  webhooks:
    - {name: ops, kind: teams, url: "http://127.0.0.1:1/"}
  rules:
    platinum: {outage_after: 1m}
    gold: {channels: [sms], webhooks: [nope], degraded_after: -1m}
  retention: -24h
`))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`c.yaml:3: notify.email.tls: "smoke" is not starttls, implicit or none`,
		`notify.webhooks[0].kind: "teams" is not one of generic, wecom, dingtalk, slack`,
		`notify.rules.platinum: "platinum" is not a tier`,
		`notify.rules.gold.channels: sms, but notify.sms is not configured`,
		`notify.rules.gold.webhooks: "nope" is not a configured webhook`,
		`notify.rules.gold: outage_after, flapping_after and degraded_after must not be negative`,
		`notify.retention: must not be negative`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
