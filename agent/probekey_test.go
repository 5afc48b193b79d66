package agent

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/vantage-net/vantage/agent/config"
	"github.com/vantage-net/vantage/probes"
)

// TestProbeKeyMemoryLinear holds the probe key's cost to a bound per
// target. It was a string grown by += per target: quadratic, 0.56 GB of
// garbage for one probe of 5,000 targets and 9 GB for 20,000, which the
// garbage collector chased at start-up and which set the agent's peak RSS
// (56.5 MB at 5,000 targets where 27 MB was measured before it, ~300 MB at
// 20,000). The bound is in allocated bytes, never in time.
func TestProbeKeyMemoryLinear(t *testing.T) {
	const n = 5000
	var b strings.Builder
	b.WriteString("agent_id: key\nnats: {urls: [nats://127.0.0.1:4222]}\nprobes:\n  - name: p\n    type: ping\n    interval: 1s\n    targets:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - {address: 198.18.%d.%d, labels: {line: L%d}}\n", i/250, i%250+1, i)
	}
	cfg, err := config.Parse("agent.yaml", []byte(b.String()), probes.TypeInfo{})
	if err != nil {
		t.Fatal(err)
	}
	jobs := cfg.Jobs()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	key := probeKey(&cfg.Probes[0], jobs)
	runtime.ReadMemStats(&after)
	const perTarget = 400 // bytes: a few formatted fields per target
	if got := after.TotalAlloc - before.TotalAlloc; got > n*perTarget {
		t.Errorf("probeKey allocated %d bytes for %d targets (%d per target), want at most %d per target", got, n, got/n, perTarget)
	}
	// Still a key: a changed target changes it, the same config does not.
	if again := probeKey(&cfg.Probes[0], jobs); again != key {
		t.Error("probeKey differs for the same config")
	}
	jobs[n-1].Labels.Line = "other"
	if probeKey(&cfg.Probes[0], jobs) == key {
		t.Error("probeKey did not change when a target's line changed")
	}
}
