package agentrun

import (
	"fmt"
	"strings"
)

// ConfigOptions describe the agent config Config writes.
type ConfigOptions struct {
	// AgentID names the agent (and its results subject).
	AgentID string
	// NATSURL is the server's client URL.
	NATSURL string
	// HTTPListen is the agent's /metrics and /healthz address.
	HTTPListen string
	// PingTargets are loopback addresses (127.0.0.x) for one ping probe;
	// none means no ping probe.
	PingTargets []string
	// Targets are the servers for one http and one dns probe, and a tcp
	// probe unless NoTCP; nil means none of them.
	Targets *Targets
	// NoTCP leaves the tcp probe out.
	NoTCP bool
	// Interval of every probe, e.g. "1s".
	Interval string
	// SpoolDir, when set, turns on the disk spool there.
	SpoolDir string
}

// Config renders an agent.yaml.
func Config(o ConfigOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "agent_id: %s\nnats:\n  urls: [%s]\nhttp_listen: %s\nheartbeat_interval: 5s\nlog_level: info\n",
		o.AgentID, o.NATSURL, o.HTTPListen)
	b.WriteString("publish: {batch_max: 500, batch_delay: 250ms}\n")
	if o.SpoolDir != "" {
		fmt.Fprintf(&b, "spool: {dir: %s}\n", o.SpoolDir)
	}
	b.WriteString("probes:\n")
	if len(o.PingTargets) > 0 {
		fmt.Fprintf(&b, "  - name: ping\n    type: ping\n    interval: %s\n    targets: [%s]\n    options: {count: 1}\n",
			o.Interval, strings.Join(o.PingTargets, ", "))
	}
	if t := o.Targets; t != nil {
		fmt.Fprintf(&b, "  - name: http\n    type: http\n    interval: %s\n    targets: [%q]\n    options: {expect_status: [200]}\n", o.Interval, t.HTTPURL)
		if !o.NoTCP {
			fmt.Fprintf(&b, "  - name: tcp\n    type: dial\n    interval: %s\n    targets: [%q]\n    options: {kind: tcp}\n", o.Interval, t.TCPAddr)
		}
		fmt.Fprintf(&b, "  - name: dns\n    type: dial\n    interval: %s\n    targets: [vantage.test]\n    options: {kind: dns, server: %q, expect: [127.0.0.1]}\n", o.Interval, t.DNSServer)
	}
	return b.String()
}

// LoopbackTargets returns n ping targets 127.0.0.1, 127.0.0.2, ... (n ≤ 250).
func LoopbackTargets(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("127.0.0.%d", i+1)
	}
	return out
}
