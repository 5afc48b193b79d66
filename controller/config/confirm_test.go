package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadmeControllerConfigConfirm: the README's controller config says
// what derived probes confirm with (every 200 ms, a minute's watch), and
// their round timeout follows the confirmation interval.
func TestReadmeControllerConfigConfirm(t *testing.T) {
	token := filepath.Join(t.TempDir(), "influx.token")
	if err := os.WriteFile(token, []byte("user:secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(readmeControllerYAML(t)), "/etc/vantage/influx.token", token)
	if !strings.Contains(text, "confirm:") {
		t.Fatal("README's controller config does not show remote_config.ping.confirm")
	}
	c, err := Parse("README.md", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	p := c.RemoteConfig.Ping
	if !*p.Confirm.Enabled || p.Confirm.Interval != 200*time.Millisecond || *p.Confirm.Watch != time.Minute || p.Timeout != 200*time.Millisecond {
		t.Fatalf("README's remote_config.ping read as %+v, timeout %s", p.Confirm, p.Timeout)
	}
}
