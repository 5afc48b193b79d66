package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestREADMENotifyExampleLoads: the README's notify block, exactly as
// printed (after an influx section a real config needs), parses,
// validates and builds the notifier's options, its secret files read from
// where it names them (here copies in a temp dir: the paths are rewritten,
// nothing else).
func TestREADMENotifyExampleLoads(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1) {
		if !strings.HasPrefix(m[1], "notify:") {
			continue
		}
		n++
		dir := t.TempDir()
		text := regexp.MustCompile(`(_file: )(/[^\s,}]+)`).ReplaceAllStringFunc(m[1], func(s string) string {
			name := filepath.Join(dir, filepath.Base(strings.TrimPrefix(s[strings.Index(s, "/"):], "")))
			if err := os.WriteFile(name, []byte("secret-"+filepath.Base(name)+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return s[:strings.Index(s, "/")] + name
		})
		c, err := Parse("controller.yaml", []byte("influx: {url: \"http://127.0.0.1:8086\", bucket: vantage/autogen}\n"+text))
		if err != nil {
			t.Fatalf("README notify example: %v", err)
		}
		o, err := c.Notify.NotifyOptions()
		if err != nil {
			t.Fatal(err)
		}
		if o.Email == nil || o.Email.Password != "secret-smtp-password" || o.SMS == nil || o.SMS.Token != "secret-sms-token" ||
			len(o.Webhooks) != 1 || o.Webhooks[0].URL != "secret-wecom-url" || o.Rules["silver"].OutageAfter.String() != "5m0s" ||
			o.Dispatch == nil || string(o.Dispatch.LinkSecret) != "secret-ack-link-key" || o.Dispatch.Limits["diamond"].Hours() != 8 ||
			o.Maintenance.Lead.Hours() != 48 || o.Rules["gold"].DegradedAfter != 30*time.Minute || !o.Rules["gold"].WeakCoverage {
			t.Errorf("options built from the README example: %+v", o)
		}
	}
	if n == 0 {
		t.Fatal("no notify example in README.md")
	}
}
