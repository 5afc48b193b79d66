package config

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/probes"
)

// TestParsedConfigRetainsNoSyntaxTree bounds what a parsed config keeps
// per target. It kept the whole YAML node tree, used only for the line
// numbers of validation errors: 5.5 MB of an agent's live heap at 20,000
// targets, doubled by the garbage collector's headroom into RSS. Measured
// in retained heap bytes, never in time.
// The remote config (controller-derived probes) is parsed the same way.
func TestParsedConfigRetainsNoSyntaxTree(t *testing.T) {
	const head = "agent_id: mem\nnats: {urls: [nats://127.0.0.1:4222]}\n"
	base, err := Parse("agent.yaml", []byte(head), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("local", func(t *testing.T) {
		checkRetained(t, func(probesText []byte) (*Config, error) {
			return Parse("agent.yaml", append([]byte(head), probesText...), probes.TypeInfo{})
		})
	})
	t.Run("remote", func(t *testing.T) {
		checkRetained(t, func(probesText []byte) (*Config, error) {
			return ParseRemote("remote.yaml", probesText, base, probes.TypeInfo{})
		})
	})
}

func checkRetained(t *testing.T, parse func([]byte) (*Config, error)) {
	const n = 20000
	var b strings.Builder
	b.WriteString("probes:\n  - name: p\n    type: ping\n    interval: 1s\n    targets:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - 198.18.%d.%d\n", i/250, i%250+1)
	}
	data := []byte(b.String())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := parse(data)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	const perTarget = 150 // bytes: the Target (address, labels) and its share of the slice; 259 with the tree
	got := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d bytes per target", got/n)
	if got > n*perTarget {
		t.Errorf("a parsed config of %d targets holds %d bytes (%d per target), want at most %d per target", n, got, got/n, perTarget)
	}
	runtime.KeepAlive(c)
}
