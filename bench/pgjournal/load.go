package main

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/vantage-net/vantage/probes/result"
)

// fleet is the generated inventory: lines under ports under PoPs, one
// agent per PoP, and the partition of each PoP (as controller/partition
// maps them: whole PoPs to a partition).
type fleet struct {
	yaml string
	// slots[p][k] are partition p's results sent in pull slot k of a
	// second, grouped per agent (reused: only Time changes).
	slots [][]map[string][]result.Result
	// flap marks the results of flapping lines (by pointer into slots).
	flapping map[*result.Result]bool
}

func partOf(pop string, parts int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(pop))
	return int(h.Sum32() % uint32(parts))
}

// newFleet builds the inventory and each partition's results: line i is
// sent in slot i mod slotsPerSecond, so a pull carries its share.
func newFleet(c config) *fleet {
	const perPort, customers = 50, 1000
	var y strings.Builder
	y.WriteString("customers:\n")
	for i := range customers {
		fmt.Fprintf(&y, "  - {id: C%d, name: C%d, tier: gold}\n", i, i)
	}
	y.WriteString("elements:\n")
	for p := range c.pops {
		fmt.Fprintf(&y, "  - {id: pop%d, kind: pop, name: PoP%d, agent: agent-%d}\n", p, p, p)
	}
	ports := (c.lines + perPort - 1) / perPort
	for port := range ports {
		fmt.Fprintf(&y, "  - {id: port%d, parent: pop%d, kind: port, name: P%d}\n", port, port%c.pops, port)
	}
	y.WriteString("lines:\n")
	for i := range c.lines {
		fmt.Fprintf(&y, "  - {circuit_id: SIM-%06d, customer: C%d, upstream_element: port%d}\n", i, i%customers, i/perPort)
	}
	slotsPerSec := max(1, int(time.Second/c.pull))
	f := &fleet{yaml: y.String(), flapping: map[*result.Result]bool{}}
	f.slots = make([][]map[string][]result.Result, c.parts)
	for p := range f.slots {
		f.slots[p] = make([]map[string][]result.Result, slotsPerSec)
		for k := range f.slots[p] {
			f.slots[p][k] = map[string][]result.Result{}
		}
	}
	// rate > 1 sends a line's results in several slots; rate < 1 is
	// approximated by whole results per second (at least 1).
	reps := max(1, int(c.rate+0.5))
	flapEvery := c.lines / max(1, c.flap)
	type key struct{ p, k int }
	idx := map[key]map[string][]int{}
	for i := range c.lines {
		pop := (i / perPort) % c.pops
		p := partOf(fmt.Sprintf("pop%d", pop), c.parts)
		agent := fmt.Sprintf("agent-%d", pop)
		line := fmt.Sprintf("SIM-%06d", i)
		for r := range reps {
			k := (i + r*slotsPerSec/reps) % slotsPerSec
			rs := f.slots[p][k][agent]
			rs = append(rs, result.Result{Measurement: "ping", Tags: map[string]string{"target": "198.18.0.1", "line": line}})
			f.slots[p][k][agent] = rs
			if c.flap > 0 && i%flapEvery == 0 && i/flapEvery < c.flap {
				m := idx[key{p, k}]
				if m == nil {
					m = map[string][]int{}
					idx[key{p, k}] = m
				}
				m[agent] = append(m[agent], len(rs)-1)
			}
		}
	}
	for kk, m := range idx {
		for agent, is := range m {
			for _, i := range is {
				f.flapping[&f.slots[kk.p][kk.k][agent][i]] = true
			}
		}
	}
	return f
}

// stamp sets the time of one slot's results, their round-trip time
// (varied, as measured ones are: the journal's JSON compresses as the
// field's would) and the state of the flapping lines (down 20 s of every
// 40 s). Each result gets fresh fields, as a decoded message has.
func (f *fleet) stamp(rs []result.Result, at time.Time, rnd *rand.Rand) {
	down := (at.Unix()/20)%2 == 1
	for i := range rs {
		r := &rs[i]
		r.Time = at
		if f.flapping[r] && down {
			r.Fields = map[string]float64{"sent": 3, "recv": 0, "loss_pct": 100}
			continue
		}
		r.Fields = map[string]float64{"sent": 3, "recv": 3, "loss_pct": 0, "rtt_avg_ms": 0.3 + rnd.Float64()*20}
	}
}
