package main

import (
	"fmt"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// fleet describes the simulated agents: agents × targetsPerAgent distinct
// targets, each measured by ping, dial and http, so the series count is
// 3 × targets whatever the number of results (15,000 with the defaults),
// which is what makes InfluxDB's index work realistic. A stream of
// results that all fell into a few series would flatter both phases.
type fleet struct {
	agents, targetsPerAgent, perMsg int
}

// generate makes n results in messages of up to perMsg, message m coming
// from agent m mod agents, as a fleet's round-robin arrival looks. Every
// result gets its own timestamp (1 ms apart, ending an hour before base),
// so no point overwrites another and counts in InfluxDB stay honest.
func (f fleet) generate(n int, base time.Time) []*result.Batch {
	start := base.Add(-time.Hour - time.Duration(n)*time.Millisecond)
	batches := make([]*result.Batch, 0, (n+f.perMsg-1)/f.perMsg)
	sent := make([]int, f.agents) // results so far per agent: its round position
	for i := 0; i < n; {
		a := len(batches) % f.agents
		b := &result.Batch{Agent: agentID(a), Results: make([]result.Result, 0, f.perMsg)}
		for ; len(b.Results) < f.perMsg && i < n; i++ {
			b.Results = append(b.Results, f.result(a, sent[a], start.Add(time.Duration(i)*time.Millisecond)))
			sent[a]++
		}
		batches = append(batches, b)
	}
	return batches
}

func agentID(a int) string { return fmt.Sprintf("cpe-%05d", a) }

// result is agent a's j-th result. The agent walks its targets in rounds;
// of every 20 rounds 3 are dial, 3 http and 14 ping (the mix of a CPE
// agent watching its lines), and 1 ping in 50 fails with a timeout.
func (f fleet) result(a, j int, t time.Time) result.Result {
	ti := j % f.targetsPerAgent
	round := j / f.targetsPerAgent
	target := fmt.Sprintf("198.18.%d.%d", (a*f.targetsPerAgent+ti)/250, (a*f.targetsPerAgent+ti)%250+1)
	tags := func(kv ...string) map[string]string {
		m := map[string]string{"line": fmt.Sprintf("L-%05d-%d", a, ti), "customer": fmt.Sprintf("C-%04d", a/5)}
		for k := 0; k < len(kv); k += 2 {
			m[kv[k]] = kv[k+1]
		}
		return m
	}
	switch r := round % 20; {
	case r < 3:
		return result.Result{Time: t, Measurement: "dial", Probe: "tls",
			Tags:   tags("target", target+":443", "kind", "tls"),
			Fields: map[string]float64{"ok": 1, "dns_ms": 0.4, "connect_ms": 1.5 + float64(j%7), "tls_ms": 4.25, "cert_days_left": 90}}
	case r < 6:
		return result.Result{Time: t, Measurement: "http", Probe: "portal",
			Tags: tags("target", "http://"+target+"/"),
			Fields: map[string]float64{"ok": 1, "status": 200, "dns_ms": 0.4, "connect_ms": 1.5, "ttfb_ms": 12.5,
				"total_ms": 20 + float64(j%13), "bytes": 5120, "throughput_kbps": 2048}}
	case j%50 == 7:
		return result.Result{Time: t, Measurement: "ping", Probe: "pop", Error: "timeout", Detail: "no reply within 1s",
			Tags:   tags("target", target),
			Fields: map[string]float64{"sent": 5, "recv": 0, "loss_pct": 100}}
	default:
		return result.Result{Time: t, Measurement: "ping", Probe: "pop",
			Tags: tags("target", target),
			Fields: map[string]float64{"rtt_min_ms": 0.9, "rtt_avg_ms": 1.2 + float64(j%10)/10, "rtt_max_ms": 2.1,
				"jitter_ms": 0.3, "sent": 5, "recv": 5, "loss_pct": 0}}
	}
}
