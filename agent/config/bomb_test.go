package config

import (
	"os"
	"testing"

	"github.com/vantage-net/vantage/probes"
)

// An alias bomb (9^9 leaves once expanded) is refused at once, whether
// its anchors hide under a known key (labels) or unknown top-level keys.
// Regression test for what issue 10 found already held.
func TestAliasBombRefused(t *testing.T) {
	docs := map[string]string{
		"top level":      aliasBomb(t),
		"used in labels": aliasBomb(t) + "agent_id: a\nnats: {urls: [nats://127.0.0.1:4222]}\nprobes:\n  - {name: p, type: ping, interval: 1s, targets: [198.18.0.1], labels: {x: *i}}\n",
	}
	for name, doc := range docs {
		if _, err := Parse("bomb.yaml", []byte(doc), probes.TypeInfo{}); err == nil {
			t.Errorf("%s: alias bomb accepted", name)
		}
	}
}

// aliasBomb reads the shared alias-bomb file.
func aliasBomb(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../internal/yamlstrict/testdata/alias-bomb.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
