package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vantage-net/vantage/controller/incident"
)

// readmeControllerYAML is the README's "Small installation" controller
// config, as printed.
func readmeControllerYAML(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "Small installation")
	if !ok {
		t.Fatal(`README has no "Small installation"`)
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README's small installation has no yaml block")
	}
	return []byte(block)
}

// The README's controller config loads, with the grouping rules it shows
// (its InfluxDB token file is read at load: a stand-in takes its place).
func TestReadmeControllerConfig(t *testing.T) {
	token := filepath.Join(t.TempDir(), "influx.token")
	if err := os.WriteFile(token, []byte("user:secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(readmeControllerYAML(t)), "/etc/vantage/influx.token", token)
	c, err := Parse("README.md", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Detector.GroupRules()
	if r["card"] != (incident.Rule{SpreadIntervals: 2, Share: 0.5, MinLines: 2}) || r["pop"] != (incident.Rule{Spread: 5 * time.Second, Share: 0.3}) {
		t.Errorf("grouping rules %+v", r)
	}
	if c.Detector.GroupWindow != 30*time.Second {
		t.Errorf("group_window %s", c.Detector.GroupWindow)
	}
	if g := c.Detector.LineState().Default.AnswerGrace; g != 500*time.Millisecond {
		t.Errorf("answer_grace %s", g)
	}
}
